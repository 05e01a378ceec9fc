#!/usr/bin/env node
// The page's "Real programs" view serves what it runs from this origin only: each program's
// WebAssembly build as npm installed it (its Emscripten glue, the package's main file, the binary
// beside it and its LICENSE) in web/gen/vendor/PACKAGE/, the workloads' texts in
// web/gen/real/workloads/, and web/gen/real/index.json, the list the page reads, made from
// tools/real/workloads.mjs (the one list). `make site` runs it.
//
//   node tools/real/vendor.mjs [WEB_GEN]     (web/gen by default)
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PROGRAMS, nativeCommand, workloads } from './workloads.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The page's list: each program's served files (relative to web/) and version, each workload's
 * served text and the native command that `make real-results` ran on it.
 * @returns {{programs: Record<string, {native: string, package: string, version: string,
 *   glue: string, wasm: string}>, workloads: {name: string, kind: string, text: string,
 *   native: string[]}[]}}
 */
export function realIndex() {
  /** @type {Record<string, any>} */
  const programs = {};
  for (const [kind, { native, package: name, wasm }] of Object.entries(PROGRAMS)) {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
    );
    programs[kind] = {
      native,
      package: name,
      version: manifest.version,
      glue: `gen/vendor/${name}/${basename(manifest.main)}`,
      wasm: `gen/vendor/${name}/${wasm}`,
    };
  }
  return {
    programs,
    workloads: workloads().map((workload) => ({
      name: workload.name,
      kind: workload.kind,
      text: `gen/real/workloads/${workload.file}`,
      native: nativeCommand(workload),
    })),
  };
}

/** Copies every file the view serves into `gen` and writes its index last (renamed in place). */
export function vendor(gen = join(ROOT, 'web', 'gen')) {
  for (const { package: name, wasm } of Object.values(PROGRAMS)) {
    const from = join(ROOT, 'node_modules', name);
    const main = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).main;
    const to = join(gen, 'vendor', name);
    mkdirSync(to, { recursive: true });
    for (const file of [main, join(dirname(main), wasm), 'LICENSE'])
      copyFileSync(join(from, file), join(to, basename(file)));
  }
  const texts = join(gen, 'real', 'workloads');
  mkdirSync(texts, { recursive: true });
  for (const { path, file } of workloads()) copyFileSync(path, join(texts, file));
  const index = join(gen, 'real', 'index.json');
  writeFileSync(`${index}.tmp`, `${JSON.stringify(realIndex(), null, 2)}\n`);
  renameSync(`${index}.tmp`, index);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) vendor(process.argv[2]);
