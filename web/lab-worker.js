// The page's engine instance lives here, in a dedicated Worker, so that however long a step takes
// the page's main thread only draws (web/remote-lab.js is its other end). A classic worker, not a
// module one: the Emscripten glue is a classic script, which only importScripts() can load under
// the page's Content-Security-Policy (web/trimlab-api.js does so in a worker); the wrapper itself
// comes in by import().
//
// Messages in: {id, method, args}: 'load' (args: [{allocator}]) first, then any of LAB_CALLS;
// 'drop' lets go of the instance (the worker stays: its memory is returned when the worker's
// engine collects the instance, or when the worker is terminated).
// Messages out: {id, value, status} or {id, error: {name, code, status, message}, status}; a
// map's classes are transferred, not copied.
// Calls are answered one at a time, in the order sent (a replay's steps read the trace
// asynchronously: an end() sent meanwhile waits for them).

/** @type {import('./lab-host.js').HostedLab|null} */
let hosted = null;
let queue = Promise.resolve();

/** The ES modules the worker needs, imported once (inside answer(): a failed import is answered). */
let modules = null;
const imports = () =>
  (modules ??= Promise.all([
    import('./trimlab-api.js'),
    import('./lab-host.js'),
    import('./message.js'),
  ]));

async function answer({ id, method, args }) {
  try {
    const [{ loadTrimlab }, { HostedLab, LAB_CALLS, transferables }, { quote }] = await imports();
    let value;
    if (method === 'load' && hosted === null) {
      hosted = new HostedLab(await loadTrimlab(args[0]));
      value = hosted.identity;
    } else if (method === 'drop' && hosted !== null) hosted = null;
    else if (hosted !== null && LAB_CALLS.includes(method)) value = await hosted[method](...args);
    else throw new Error(`the worker cannot answer '${quote(method)}' now`);
    postMessage({ id, value, status: hosted?.status() ?? null }, transferables(value));
  } catch (error) {
    const { name, code, status, message } = error ?? {};
    postMessage({
      id,
      error: { name, code, status, message: String(message ?? error) },
      status: hosted?.status() ?? null,
    });
  }
}

self.onmessage = ({ data }) => {
  // answer() reports its own failures; the chain must never stay rejected
  queue = queue.then(() => answer(data)).catch(() => {});
};
