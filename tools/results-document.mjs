// The results document of runs a tool measured itself (the browser harness, the real-program
// runner), written by trimlab's own writer: the module's documentText, the native CLI's C writer
// compiled into it, so these files have the one layout of the format.
import { loadTrimlab } from '../web/trimlab-api.js';

/**
 * The results document (format 2) of `runs`, platform wasm.
 * @param {any[]} runs
 * @param {string} generator who measured them: the document's generator is
 *   "trimlab VERSION (GENERATOR)"
 * @returns {Promise<string>}
 */
export async function documentOf(runs, generator) {
  // dlmalloc: Emscripten's default allocator, the one the page's runs and both npm packages use.
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  return lab.documentText(runs, { generator });
}
