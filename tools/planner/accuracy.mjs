#!/usr/bin/env node
// @ts-check
// How well the capacity planner predicts real WebAssembly builds. For every workload of
// tools/real/workloads/: records the native program on it (`trimlab record`: sqlite3, lua5.4, and
// their i386 builds with the -m32 recorder where `make planner-i386` set them up), replays each
// trace in our module with dlmalloc and with emmalloc (tools/run-wasm.mjs), runs the same text in
// the real build (sql.js, wasmoon: tools/planner/real-heap.mjs) and compares:
//   peak heap     predicted: the replay's heap growth (sbrk at its end − at its baseline, which
//                 already holds the replay's own map and buffer); measured: where the real
//                 build's heap ended (its highest written byte) − its heap base.
//   linear memory predicted: the real build's growth rule, initial and maximum memory (read from
//                 its binary and glue: tools/planner/growth.mjs) applied to the replay's heap
//                 curve moved to the real build's heap base; measured: the real build's memory.
//   error         (predicted − measured) / measured.
// Writes OUT/accuracy.json and OUT/accuracy.md (OUT: build/planner) and prints the table.
//
//   node tools/planner/accuracy.mjs [--out DIR] [--workload NAME]...
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { cleanLine, quote } from '../../web/message.js';
import { mib } from '../../web/units.js';
import { writeOutput } from '../output-file.mjs';
import { runChild } from '../stop.mjs';
import { nativeCommand, PROGRAMS, workloads } from '../real/workloads.mjs';
import { memoryCurve } from './growth.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TRIMLAB = join(ROOT, 'build', 'trimlab');
/** Where `make planner-i386` puts the i386 programs and the -m32 recorder. */
export const I386 = {
  root: join(ROOT, 'build', 'i386', 'root', 'usr', 'bin'),
  recorder: join(ROOT, 'build', 'record32', 'libtrimlab-record.so'),
};
const ALLOCATORS = ['dlmalloc', 'emmalloc'];

/** Runs a child; its output goes to ours (stderr) or is dropped. Throws unless it exits 0. */
async function run(/** @type {string} */ command, /** @type {string[]} */ args, env = {}) {
  const { status, signal } = await runChild(command, args, {
    env: { ...process.env, ...env },
    cwd: ROOT, // the native command lines name the workloads from there
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (status !== 0)
    throw new Error(
      `${quote([command, ...args].join(' '))} ended with ${signal ?? `exit ${status}`}`,
    );
}

/** The traces of a workload, each with how it is recorded: the native program's, 64-bit always
 *  and i386 where set up; for Lua also the real build's own calls (tools/planner/real-trace.mjs),
 *  which tells the planner's own error apart from the native program's. */
function tracePlans(/** @type {import('../real/workloads.mjs').Workload} */ workload) {
  const native =
    (/** @type {string[]} */ command, env = {}) =>
    (/** @type {string} */ trace) =>
      run(TRIMLAB, ['record', '-o', trace, '--', ...command], env);
  const plans = [{ word: 'x86-64', file: 'x86-64', record: native(nativeCommand(workload)) }];
  const i386 = join(I386.root, PROGRAMS[workload.kind].native);
  if (existsSync(i386) && existsSync(I386.recorder))
    plans.push({
      word: 'i386',
      file: 'i386',
      record: native(nativeCommand(workload, i386), { TRIMLAB_RECORD_LIB: I386.recorder }),
    });
  if (workload.kind === 'lua')
    plans.push({
      word: 'wasm32, the build itself',
      file: 'wasm32',
      record: (trace) =>
        run(process.execPath, [
          join(ROOT, 'tools', 'planner', 'real-trace.mjs'),
          workload.name,
          trace,
        ]),
    });
  return plans;
}

/** The replay's predictions for a real build with `facts`. */
function predict(
  /** @type {any} */ replay,
  /** @type {import('./growth.mjs').ModuleFacts} */ facts,
) {
  /** @type {number[]} */
  const ends = replay.samples.map((/** @type {{sbrk_bytes: number}} */ s) => s.sbrk_bytes);
  const growth = Math.max(...ends) - ends[0];
  const { sizes, failedAt } = memoryCurve(
    ends.map((end) => facts.heapBaseBytes + end - ends[0]),
    facts,
  );
  return {
    heap: growth,
    memory: failedAt === null ? (sizes.at(-1) ?? null) : null,
    outcome: replay.outcome,
  };
}

const errorPercent = (/** @type {number|null} */ predicted, /** @type {number} */ measured) =>
  predicted === null ? null : ((predicted - measured) / measured) * 100;

/** Every row of one workload. */
async function workloadRows(
  /** @type {import('../real/workloads.mjs').Workload} */ workload,
  /** @type {string} */ dir,
) {
  const realFile = join(dir, `real-${workload.name}.json`);
  await run(process.execPath, [
    join(ROOT, 'tools', 'planner', 'real-heap.mjs'),
    workload.name,
    realFile,
  ]);
  const real = JSON.parse(readFileSync(realFile, 'utf8'));
  const measured = {
    heap: real.heap_end_bytes - real.facts.heapBaseBytes,
    memory: real.run.summary.peak_footprint_bytes,
  };
  const rows = [];
  for (const plan of tracePlans(workload)) {
    const trace = join(dir, `${workload.name}-${plan.file}.trace`);
    await plan.record(trace);
    const info = JSON.parse(
      execFileSync(TRIMLAB, ['trace-info', '--json', trace], { encoding: 'utf8' }),
    );
    for (const allocator of ALLOCATORS) {
      const file = join(dir, `${workload.name}-${plan.file}-${allocator}.json`);
      // The most events a step takes: few samples (each reads the kernel's figures), and still
      // at most 4 MiB allocated or freed a step, which the memory curve needs.
      const args = ['tools/run-wasm.mjs', '--replay', trace, '--allocator', allocator];
      args.push('--set', 'events_per_step=32768');
      const { status } = await runChild(process.execPath, [...args, '--quiet', '--json', file], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (status !== 0 && status !== 3)
        throw new Error(`run-wasm --replay ${quote(trace)} exited ${status}`);
      const predicted = predict(JSON.parse(readFileSync(file, 'utf8')).runs[0], real.facts);
      rows.push({
        workload: workload.name,
        program: PROGRAMS[workload.kind].native,
        word: plan.word,
        module: real.run.program.name,
        allocator,
        events: info.events,
        mmap_events: (info.calls.mmap ?? 0) + (info.calls.munmap ?? 0),
        peak_requested_bytes: info.peak_requested_bytes,
        predicted,
        measured,
        heap_error_percent: errorPercent(predicted.heap, measured.heap),
        memory_error_percent: errorPercent(predicted.memory, measured.memory),
      });
    }
  }
  return { rows, facts: { module: real.run.program.name, ...real.facts } };
}

const percent = (/** @type {number|null} */ value) =>
  value === null ? '–' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} %`;

/** The two tables in Markdown: the builds' facts, then the predictions. */
export function markdown(/** @type {{rows: any[], builds: any[]}} */ report) {
  const lines = [
    '| WebAssembly build | initial memory | maximum | heap base | growth step |',
    '| --- | --- | --- | --- | --- |',
    ...report.builds.map(
      (b) =>
        `| ${b.module} | ${mib(b.initialBytes)} | ${mib(b.maximumBytes)} | ${mib(b.heapBaseBytes)} | ` +
        (b.rule.linearStepBytes
          ? `linear, ${mib(b.rule.linearStepBytes)}`
          : `×${1 + b.rule.geometricStep}, at most +${mib(b.rule.geometricCapBytes)} over the request`) +
        ' |',
    ),
    '',
    '| program | workload | recorded | replayed with | peak requested | predicted peak heap | measured | error | predicted linear memory | measured | error |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.rows.map(
      (r) =>
        `| \`${r.program}\` → ${r.module} | ${r.workload} | ${r.word} | ${r.allocator} | ` +
        `${mib(r.peak_requested_bytes)} | ${mib(r.predicted.heap)} | ${mib(r.measured.heap)} | ` +
        `${percent(r.heap_error_percent)} | ${r.predicted.memory === null ? 'oom' : mib(r.predicted.memory)} | ` +
        `${mib(r.measured.memory)} | ${percent(r.memory_error_percent)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function options(/** @type {string[]} */ argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: join(ROOT, 'build', 'planner') },
      workload: { type: 'string', multiple: true },
    },
  });
  const known = workloads();
  const chosen = values.workload ?? known.map((w) => w.name);
  for (const name of chosen)
    if (!known.some((w) => w.name === name))
      throw new Error(
        `--workload ${quote(name)} is not a workload (allowed: ${known.map((w) => w.name).join(', ')})`,
      );
  return { out: values.out, chosen: known.filter((w) => chosen.includes(w.name)) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let chosen;
  try {
    chosen = options(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `${cleanLine(`trimlab: planner-accuracy: ${/** @type {Error} */ (error).message}`)}\n`,
    );
    process.exit(2);
  }
  mkdirSync(chosen.out, { recursive: true });
  const report = { rows: /** @type {any[]} */ ([]), builds: /** @type {any[]} */ ([]) };
  for (const workload of chosen.chosen) {
    const { rows, facts } = await workloadRows(workload, chosen.out);
    report.rows.push(...rows);
    if (!report.builds.some((b) => b.module === facts.module)) report.builds.push(facts);
  }
  if (!existsSync(I386.recorder))
    console.log('i386: not set up (make planner-i386): only the x86-64 traces were recorded');
  const text = markdown(report);
  writeOutput(join(chosen.out, 'accuracy.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeOutput(join(chosen.out, 'accuracy.md'), text);
  process.stdout.write(text);
}
