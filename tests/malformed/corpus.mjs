// The malformed results corpus: its manifest, the path of each case, and the two files too large
// to commit, written where a test asks (generated): one over the size limit (50 MB), one nested
// 5,000,000 deep. Shared by tests/node/results-validate.test.mjs and tests/browser/page.test.mjs.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
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

/** Writes manifest.deep into `dir`: its `from` document with the runs replaced by `depth` nested
 *  arrays, so only the nesting is wrong. Returns the file's path. */
export function writeDeep(dir) {
  const { file, from, depth } = manifest.deep;
  const document = JSON.parse(readFileSync(join(corpusDir, from), 'utf8'));
  const [head, tail] = JSON.stringify({ ...document, runs: 0 }).split('"runs":0');
  const path = join(dir, file);
  writeFileSync(path, `${head}"runs":${'['.repeat(depth)}${']'.repeat(depth)}${tail}`);
  return path;
}
