#!/usr/bin/env node
// The WebAssembly build's command line: the same flags, messages and exit codes as build/trimlab
// (the native parser itself runs inside the module), plus --allocator dlmalloc|emmalloc and
// --planner (the planner's modules, build/wasm-4gb/ from `make planner-wasm`: the same build with
// a 4 GiB ceiling instead of 512 MiB, for traces the demo's module cannot hold).
//
//   node tools/run-wasm.mjs --list
//   node tools/run-wasm.mjs --scenario highwater --set total_mib=300 [--allocator emmalloc]
//   node tools/run-wasm.mjs --all --trim both --quiet --json web/gen/data/wasm-results.json
//   node tools/run-wasm.mjs --replay app.trace [--trim both] [--set events_per_step=N] [--json F]
//     (an allocation trace: checked whole first, then replayed in chunks, as `trimlab replay`)
//
// Exit codes: 0 done, 1 a run failed or the --json file could not be written, 2 bad input (one
// line "trimlab: ..." on stderr, nothing run), 3 a run ended out of memory, 128+N stopped by
// signal N (SIGINT, SIGTERM, SIGHUP; an existing --json file is then left as it was). Every run
// gets a fresh module instance (fresh 64 MiB linear memory and allocator), as the native CLI runs
// each in a fresh child process; an emmalloc instance could not be reused honestly anyway once
// its malloc_trim ran (Emscripten 3.1.6, emscripten-core/emscripten#23343).
//
// Samples carry the module's resident bytes and the process's RSS (the wrapper reads them from
// /proc), and each run an "after" list: at run_end (the run's memory freed), once its instance is
// dropped, and, under `node --expose-gc`, once it is collected and its mapping gone.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { cleanLine, quote } from '../web/message.js';
import { ALLOCATORS, loadTrimlab, TrimlabError } from '../web/trimlab-api.js';
import { openOutput, OutputError, strerror } from './output-file.mjs';

const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;
const EXIT_OUT_OF_MEMORY = 3;
/* The native flags that take a value, so that e.g. `--json --allocator` keeps its meaning. */
const VALUE_FLAGS = new Set(['--scenario', '--set', '--json', '--trim']);
/** The planner's modules (make planner-wasm): MAXIMUM_MEMORY=4GB, otherwise the served build. */
export const PLANNER_MODULES = new URL('../build/wasm-4gb/', import.meta.url);
/** Where this command's modules come from: the wrapper's (web/gen/) unless --planner. */
let modules = /** @type {URL|undefined} */ (undefined);
const ALLOCATOR_USAGE =
  'wasm runner: --allocator dlmalloc|emmalloc (default dlmalloc), one fresh instance per run\n' +
  '             (an emmalloc instance is not reusable after its malloc_trim: Emscripten\n' +
  '             3.1.6, emscripten-core/emscripten#23343);\n' +
  '             --replay TRACE [replay options] replays an allocation trace;\n' +
  '             --planner uses the planner modules (4 GiB ceiling: make planner-wasm)\n';
/** Who wrote a results document: its generator is "trimlab VERSION (wasm, Node runner)". */
const GENERATOR = 'wasm, Node runner';
/** How long a run goes without letting the event loop in, so a stop signal is handled soon. */
const BREATHE_MS = 50;

class BadInput extends Error {}

/**
 * Runs `work(instance)` in a fresh instance, which is dropped when it returns, and notes in the
 * run it gave what followed: run_end, dropped and, when `gc` is exposed, collected.
 * @param {string} allocator
 * @param {(lab: import('../web/trimlab-api.js').Trimlab) => Promise<any>} work
 */
async function inFreshInstance(allocator, work) {
  const { run, life } = await (async () => {
    const lab = await fresh(allocator);
    const done = await work(lab);
    const lifecycle = lab.lifecycle();
    lifecycle?.note(done, 'run_end');
    return { run: done, life: lifecycle };
  })();
  if (life === null) return run;
  life.note(run, 'dropped');
  if (typeof globalThis.gc === 'function') await life.collected(run, { gc: globalThis.gc });
  return run;
}

/** A fresh instance. The glue's own diagnostics are not printed: on a failure they are in the
 *  error it throws, which becomes one line (the C API itself never prints). */
function fresh(allocator) {
  return loadTrimlab({ allocator, printErr: () => {}, ...(modules && { baseUrl: modules.href }) });
}

/** One "trimlab: ..." line on stderr, cleaned (values in it are quoted by the caller). */
function say(text) {
  process.stderr.write(`trimlab: ${cleanLine(text)}\n`);
}

/** An onSample hook that lets the event loop run every BREATHE_MS, so that a signal stops a
 *  long run at once (runs are synchronous WebAssembly otherwise). */
function breather() {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < BREATHE_MS) return undefined;
    last = now;
    return new Promise((resolve) => setImmediate(resolve));
  };
}

/** Takes --allocator, --planner (and --replay TRACE) out of argv; every other argument goes to
 *  the native parser in order. */
export function splitAllocator(args) {
  const rest = [];
  let allocator = 'dlmalloc';
  let replay = null;
  let planner = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--planner') planner = true;
    else if (arg === '--replay') {
      if (i + 1 >= args.length) throw new BadInput('--replay needs a trace');
      replay = args[++i];
    } else if (arg === '--allocator') {
      if (i + 1 >= args.length) throw new BadInput('--allocator needs a value');
      allocator = args[++i];
      if (!ALLOCATORS.includes(allocator))
        throw new BadInput(
          `--allocator '${quote(allocator)}' is not allowed ` +
            `(allowed: ${ALLOCATORS.join(', ')})`,
        );
    } else {
      rest.push(arg);
      if (VALUE_FLAGS.has(arg) && i + 1 < args.length) rest.push(args[++i]);
    }
  }
  return { allocator, rest, replay, planner };
}

/** Runs every run the command line asked for, each in a fresh instance; `writer` (an instance of
 *  the same allocator) writes the tables and the document. */
async function runAll(options, allocator, writer) {
  let exitCode = 0;
  const runs = [];
  for (const wanted of options.runs) {
    try {
      const run = await inFreshInstance(allocator, (instance) =>
        instance.runScenario(wanted.scenario, wanted.params, {
          trim: wanted.trim,
          map: options.map,
          onSample: breather(),
        }),
      );
      runs.push(run);
      if (!options.quiet) process.stdout.write(writer.runTable(run) + writer.mapLines(run));
      if (run.outcome !== 'completed' && exitCode === 0) exitCode = EXIT_OUT_OF_MEMORY;
    } catch (error) {
      const oom = error instanceof TrimlabError && error.code === 'oom';
      say(`scenario ${wanted.scenario} failed: ${error.message}`);
      if (!oom) exitCode = EXIT_FAILED;
      else if (exitCode === 0) exitCode = EXIT_OUT_OF_MEMORY;
    }
  }
  return { exitCode, document: writer.documentText(runs, { generator: GENERATOR }) };
}

/** The --json file, created (as a temporary file) before anything runs. */
function openJson(path, input) {
  try {
    return openOutput(path, input);
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    throw new BadInput(`--json '${quote(path)}' cannot be written: ${error.message}`);
  }
}

/** Runs `work` (which resolves with {exitCode, document}, the document's text, or with an exit
 *  code alone when it stopped before running anything) and writes the document to the --json
 *  file, opened first (refused when it is `input`, which the job reads); returns the exit code. */
async function withJson(path, work, input) {
  const output = path === null ? null : openJson(path, input);
  try {
    const result = await work();
    if (typeof result === 'number') return result;
    const { exitCode, document } = result;
    if (output === null) return exitCode;
    try {
      output.commit(document);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      say(`writing --json '${quote(path)}' failed: ${error.message}`);
      return EXIT_FAILED;
    }
    return exitCode;
  } finally {
    output?.discard();
  }
}

// ---- --replay TRACE: the native `trimlab replay`, in the module ----

/** A trace file read in the chunks the module asks for; read errors carry the native message. */
function fileSource(path) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new BadInput(`cannot open: ${strerror(error)}`);
  }
  let position = 0;
  return {
    read(max) {
      const buffer = Buffer.allocUnsafe(max);
      let count;
      try {
        count = readSync(fd, buffer, 0, max, position);
      } catch (error) {
        throw new BadInput(`cannot read: ${strerror(error)}`);
      }
      position += count;
      return buffer.subarray(0, count);
    },
    close: () => closeSync(fd),
  };
}

async function withFile(path, work) {
  const source = fileSource(path);
  try {
    return await work(source);
  } finally {
    source.close();
  }
}

/** "trimlab: TRACE: message" and its exit code, as the native replay has them. */
function traceFailure(path, error) {
  if (!(error instanceof BadInput || error instanceof TrimlabError)) throw error;
  say(`${quote(path)}: ${error.message}`);
  return error.code === 'oom' ? EXIT_OUT_OF_MEMORY : EXIT_BAD_INPUT;
}

function cutShortNote(path, check) {
  if (check.complete) return;
  say(
    `${quote(path)}: cut short (no COMPLETE flag): replaying its ` +
      `${check.header_event_count} events${
        check.dropped_bytes
          ? `; ${check.dropped_bytes} bytes ` +
            'after them ignored (a flush the recorder did not finish)'
          : ''
      }`,
  );
}

async function replayRuns(path, options, allocator, check, writer) {
  let exitCode = 0;
  const runs = [];
  for (const wanted of options.runs) {
    const eventsPerStep = Number(wanted.params.split('=')[1]);
    let run;
    try {
      run = await inFreshInstance(allocator, (lab) =>
        withFile(path, (source) =>
          lab.runReplay(source, {
            trim: wanted.trim,
            eventsPerStep,
            liveBlocks: check.max_live_blocks,
            events: check.events,
            onSample: breather(),
          }),
        ),
      );
    } catch (error) {
      exitCode = Math.max(exitCode, traceFailure(path, error) === EXIT_BAD_INPUT ? 2 : 3);
      continue;
    }
    runs.push(run);
    if (!options.quiet) process.stdout.write(writer.runTable(run) + writer.traceLine(path, run));
    if (run.outcome === 'completed') continue;
    say(`${quote(path)}: ${run.error}`);
    const code = run.outcome === 'oom' ? EXIT_OUT_OF_MEMORY : EXIT_BAD_INPUT;
    if (exitCode === 0 || (exitCode === EXIT_OUT_OF_MEMORY && code === EXIT_BAD_INPUT))
      exitCode = code;
  }
  return { exitCode, document: writer.documentText(runs, { generator: GENERATOR }) };
}

async function replayMain({ allocator, rest, replay: path }, env) {
  let check;
  const lab = await fresh(allocator);
  const options = lab.parseReplayCommandLine([path, ...rest], env);
  if (options.action === 'help') {
    process.stdout.write(lab.replayUsageText() + ALLOCATOR_USAGE);
    return 0;
  }
  // The --json file first, as natively; then the whole trace, in an instance of its own that is
  // then dropped (the native replay checks in a child process): a bad trace stops there.
  return withJson(
    options.json,
    async () => {
      try {
        check = await withFile(path, (source) => lab.checkTrace(source));
      } catch (error) {
        return traceFailure(path, error);
      }
      const steps = lab.checkReplaySteps(
        check.events,
        Number(options.runs[0].params.split('=')[1]),
      );
      if (steps !== null) {
        say(steps.message);
        return EXIT_BAD_INPUT;
      }
      cutShortNote(path, check);
      return replayRuns(path, options, allocator, check, lab);
    },
    path,
  );
}

async function runMain({ allocator, rest }, env) {
  const parser = await fresh(allocator);
  const options = parser.parseCommandLine(rest, env);
  if (options.action === 'help') {
    process.stdout.write(parser.usageText() + ALLOCATOR_USAGE);
    return 0;
  }
  if (options.action === 'list') {
    process.stdout.write(parser.listText());
    return 0;
  }
  if (options.action === 'version') {
    process.stdout.write(`trimlab ${parser.version}\n`);
    return 0;
  }
  return withJson(options.json, () => runAll(options, allocator, parser));
}

/**
 * The runner's command line (without node and the script): prints what it ran and returns the
 * exit code. Bad input is one line on stderr (exit 2), never an exception.
 * @param {string[]} args
 * @param {Record<string, string|undefined>} env
 * @returns {Promise<number>}
 */
export async function main(args, env) {
  try {
    const split = splitAllocator(args);
    modules = split.planner ? PLANNER_MODULES : undefined;
    if (modules && !existsSync(new URL(`trimlab.wasm`, modules)))
      throw new BadInput(`--planner: the planner modules are not built (make planner-wasm)`);
    return await (split.replay !== null ? replayMain(split, env) : runMain(split, env));
  } catch (error) {
    if (!(error instanceof BadInput || error instanceof TrimlabError)) throw error;
    say(error.message);
    return EXIT_BAD_INPUT;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = await main(process.argv.slice(2), process.env);
  } catch (error) {
    // Not bad input and not a run's failure: one line all the same, never a stack.
    say(`internal error: ${error?.message ?? error}`);
    process.exitCode = EXIT_FAILED;
  }
}
