// One WebAssembly run for `make bench`, in a fresh Node process started with --expose-gc:
//   node --expose-gc tools/bench-wasm-run.mjs SCENARIO PARAMS OUT.json
// PARAMS is "" or "key=value;key=value". An untimed run of the same scenario with its default
// parameters first compiles and warms up the module's code (V8 compiles WebAssembly functions
// lazily, on first call, and optimises hot ones later, so a first run would time the compiler
// too); its instance is then dropped and collected, and a fresh instance makes the timed run. OUT.json gets the run
// object of the results format without its samples, plus `samples` (their count).
import { loadTrimlab } from '../web/trimlab-api.js';
import { writeOutput } from './output-file.mjs';

const [scenario, params = '', out] = process.argv.slice(2);
if (!scenario || !out || typeof globalThis.gc !== 'function') {
  console.error('usage: node --expose-gc tools/bench-wasm-run.mjs SCENARIO PARAMS OUT.json');
  process.exit(2);
}

async function run(runParams) {
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  return lab.runScenario(scenario, runParams);
}

await run('');
globalThis.gc();
const timed = await run(params);
writeOutput(out, JSON.stringify({ ...timed, samples: timed.samples.length }));
