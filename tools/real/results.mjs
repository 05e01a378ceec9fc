#!/usr/bin/env node
// @ts-check
// `make real-results`: every workload of tools/real/workloads/ (workloads.mjs, the one list of
// them and of their native command lines) natively under `trimlab measure`, from the checkout's
// root as the command lines say, into DIR/native-NAME.json; then in its WebAssembly build under
// Node (run.mjs) into DIR/wasm-NAME.json; then report.mjs's line for the two. Each in its own
// process, so that one workload's memory is not in another's figures.
//
//   node tools/real/results.mjs TRIMLAB DIR
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cleanLine, quote } from '../../web/message.js';
import { runChild } from '../stop.mjs';
import { nativeCommand, workloads } from './workloads.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));

/** Runs a child from the checkout's root, its output dropped unless `show`; throws unless it
 *  exits 0. @param {string} command @param {string[]} args */
async function run(command, args, show = false) {
  const { status, signal } = await runChild(command, args, {
    cwd: ROOT,
    stdio: ['ignore', show ? 'inherit' : 'ignore', 'inherit'],
  });
  if (status !== 0)
    throw new Error(
      `${quote([command, ...args].join(' '))} ended with ${signal ?? `exit ${status}`}`,
    );
}

const [trimlabArg, dirArg, ...rest] = process.argv.slice(2);
if (!trimlabArg || !dirArg || rest.length > 0) {
  process.stderr.write('usage: node tools/real/results.mjs TRIMLAB DIR\n');
  process.exit(2);
}
const trimlab = resolve(trimlabArg);
const dir = resolve(dirArg);
try {
  mkdirSync(dir, { recursive: true });
  for (const workload of workloads()) {
    const native = join(dir, `native-${workload.name}.json`);
    const wasm = join(dir, `wasm-${workload.name}.json`);
    await run(trimlab, ['measure', '-o', native, '--', ...nativeCommand(workload)]);
    await run(process.execPath, [
      join(HERE, 'run.mjs'),
      '--workload',
      workload.name,
      '--json',
      wasm,
    ]);
    await run(process.execPath, [join(HERE, 'report.mjs'), native, wasm], true);
  }
} catch (error) {
  process.stderr.write(
    `${cleanLine(`trimlab: real-results: ${/** @type {Error} */ (error).message}`)}\n`,
  );
  process.exit(1);
}
