// The malformed results corpus: its manifest, the path of each case, and the file over the size
// limit, which is written where a test asks (50 MB: generated, never committed). Shared by
// tests/node/results-corpus.test.mjs and tests/browser/page.test.mjs.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const corpusDir = dirname(fileURLToPath(import.meta.url));
export const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8'));
export const refusedCases = manifest.cases.filter((entry) => !entry.accepted);
export const acceptedCases = manifest.cases.filter((entry) => entry.accepted);
export const casePath = (entry) => join(corpusDir, entry.file);

/** Writes manifest.oversize into `dir`: its `from` document padded with spaces to `bytes`, so
 *  only its size can be wrong. Returns the file's path. */
export function writeOversize(dir) {
  const { file, from, bytes } = manifest.oversize;
  const document = readFileSync(join(corpusDir, from));
  const path = join(dir, file);
  const padding = Buffer.alloc(1 << 20, ' ');
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, document);
    for (let left = bytes - document.length; left > 0; left -= padding.length)
      writeSync(fd, padding, 0, Math.min(left, padding.length));
  } finally {
    closeSync(fd);
  }
  return path;
}
