// A real program's WebAssembly build (sql.js or wasmoon, vendored by `make site`), run on one
// workload in this dedicated Worker, so that a statement that takes seconds never holds the
// page's main thread: the page goes on drawing and reading the resident memory meanwhile
// (web/real-view.js is its other end). A classic worker: both packages ship their glue as a
// classic script, which only importScripts() loads under the page's Content-Security-Policy;
// the shared code comes in by import(). One run per worker: the page ends the worker for the next.
//
// Message in: {glue, wasm, kind: 'sql'|'lua', version, text (the workload's whole text), idleMs,
// idleEveryMs}.
// Messages out: {type: 'loaded', name, tag, at, sample}, then {type: 'sample', sample} after
// every statement or chunk and at every growth of the memory (as it happens), {type: 'done'};
// {type: 'error', message} ends it. The instance stays until the worker is ended: idle, it
// holds what it kept.

/** The glue's entry, and the Program that runs a phase, for each kind of workload. */
const LOADERS = {
  sql: async ({ wasm, version }, { sqliteProgram }) => {
    const SQL = await self.initSqlJs({ locateFile: () => wasm });
    return sqliteProgram(SQL, version, null);
  },
  lua: async ({ wasm, version }, { luaProgram }) => {
    const lua = await new self.wasmoon.LuaFactory(wasm).createEngine();
    return luaProgram(lua, version, null);
  },
};

let started = false;

async function run(request) {
  const [sampler, programs] = await Promise.all([
    import('./real-sampler.js'),
    import('./real-programs.js'),
  ]);
  const { ProgramSampler, loadCapturing, memoryTag, watchGrowth, workloadPhases } = sampler;
  const phases = workloadPhases(request.text);
  importScripts(request.glue);
  const { loaded: program, memory } = await loadCapturing(() =>
    LOADERS[request.kind](request, programs),
  );
  const samples = new ProgramSampler(memory, null);
  let phase = 'baseline';
  const sample = (/** @type {string} */ at, /** @type {string} */ what) =>
    postMessage({ type: 'sample', sample: samples.sample(at, what) });
  postMessage({
    type: 'loaded',
    name: program.name,
    ...memoryTag(memory),
    sample: samples.sample(phase, 'loaded'),
  });
  watchGrowth(memory, () => sample(phase, 'memory.grow'));
  await programs.runPhases(program, phases, {
    sample,
    enter: (next) => (phase = next),
    idleMs: request.idleMs,
    everyMs: request.idleEveryMs,
  });
  postMessage({ type: 'done' });
}

self.onmessage = ({ data }) => {
  if (started) return;
  started = true;
  run(data).catch((error) =>
    postMessage({ type: 'error', message: String(error?.message ?? error) }),
  );
};
