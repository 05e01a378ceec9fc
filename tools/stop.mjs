// How a tool stops on SIGINT, SIGTERM or SIGHUP, as the native CLI does: the signal is passed to
// the children it runs (through runChild), they are waited for, the cleanups registered with
// onStop run (temporary output files are removed: tools/output-file.mjs), and the process exits
// 128 + the signal's number. The handlers are installed by the first use, so merely importing a
// tool (the tests do) changes nothing.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** @type {NodeJS.Signals[]} */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const cleanups = new Set();
const children = new Set();
let installed = false;
let stopping = false;

/** @param {NodeJS.Signals} signal */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  const waits = [...children].map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill(signal);
      }),
  );
  Promise.all(waits).then(() => {
    for (const cleanup of cleanups) cleanup();
    process.exit(128 + constants.signals[signal]);
  });
}

function install() {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
}

/**
 * Runs `cleanup` (synchronous) if the process is stopped by a signal.
 * @param {() => void} cleanup
 * @returns {() => void} unregisters it
 */
export function onStop(cleanup) {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Runs a child to its end, passing it a stop signal (and waiting for it) if one comes. Once the
 * tool is stopping the promise never settles: the process exits instead.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{status: number|null, signal: string|null}>}
 */
export function runChild(command, args, options) {
  install();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    children.add(child);
    child.once('error', (error) => {
      children.delete(child);
      if (!stopping) reject(error);
    });
    child.once('exit', (status, signal) => {
      children.delete(child);
      if (!stopping) resolve({ status, signal });
    });
  });
}
