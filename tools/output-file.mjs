// Output files written whole or not at all, as the native CLI writes them: openOutput() creates a
// temporary file in the target's folder at once, so a target that cannot be written is refused
// before any work is done; commit() writes it, flushes it to disk and renames it over the target.
// Until then an existing file keeps its content, and a stop by SIGINT, SIGTERM or SIGHUP removes
// the temporary file (tools/stop.mjs). An existing target that is not a regular file (a folder,
// /dev/full, a pipe) is refused: a rename would replace it.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { onStop } from './stop.mjs';

/**
 * strerror() texts for what file operations usually fail with, as native messages have them.
 * @type {Record<string, string>}
 */
const STRERROR = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EEXIST: 'File exists',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EXDEV: 'Invalid cross-device link',
};

/** The longest file name (one path component) Linux takes, in bytes. */
const NAME_MAX = 255;

/**
 * A file-system error as strerror() words it.
 * @param {unknown} error what a file operation threw: an Error with its `code`
 * @returns {string}
 */
export function strerror(error) {
  const { code, message } = /** @type {Error & {code?: string}} */ (error);
  return STRERROR[code ?? ''] ?? message;
}

/** Why an output file cannot be written; `path` is the name the user gave. */
export class OutputError extends Error {
  /**
   * @param {string} path
   * @param {string} reason
   */
  constructor(path, reason) {
    super(reason);
    this.name = 'OutputError';
    this.path = path;
  }
}

/** The file the rename replaces: an existing regular file (through any symlink) that is not
 *  `input`, or a new name. The reasons are worded as the native CLI words them. */
function targetOf(/** @type {string} */ path, /** @type {string | undefined} */ input) {
  /** @type {(reason: string) => never} */
  const refuse = (reason) => {
    throw new OutputError(path, reason);
  };
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (/** @type {{code?: string}} */ (error).code !== 'ENOENT') refuse(strerror(error));
    const name = basename(path);
    if (path.endsWith('/') || name === '.' || name === '..')
      refuse('it names a folder, not a file');
    if (Buffer.byteLength(name) > NAME_MAX) refuse(STRERROR.ENAMETOOLONG);
    try {
      return join(realpathSync(dirname(path)), name);
    } catch (folderError) {
      return refuse(strerror(folderError));
    }
  }
  if (!stats.isFile()) refuse('it exists and is not a regular file');
  const inputStats = input === undefined ? null : statOrNull(input);
  if (inputStats && inputStats.dev === stats.dev && inputStats.ino === stats.ino)
    refuse('it is the input file, which the output would replace');
  return realpathSync(path);
}

function statOrNull(/** @type {string} */ path) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function removeQuietly(/** @type {string} */ path) {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Opens an output file: its temporary file exists from now on; nothing replaces `path` before
 * commit(). Throws an OutputError when the file cannot be written.
 * @param {string} path
 * @param {string} [input] a file the job reads: refused as the output, which would replace it
 * @returns {{path: string, commit: (data: string|Uint8Array) => void, discard: () => void}}
 *   commit throws an OutputError if writing fails (the old file is then kept); discard drops the
 *   temporary file.
 */
export function openOutput(path, input) {
  const target = targetOf(path, input);
  // A short name of its own, so that the longest target name still leaves room for it.
  const temp = join(
    dirname(target),
    `.${basename(target).slice(0, 32)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  // Handled before the file exists: a stop signal the moment it appears removes it.
  const forget = onStop(() => removeQuietly(temp));
  /** @type {number | null} */
  let fd;
  try {
    fd = openSync(temp, 'wx', 0o666);
  } catch (error) {
    forget();
    throw new OutputError(path, `no file can be created in its folder: ${strerror(error)}`);
  }
  const close = () => {
    forget();
    const open = fd;
    fd = null;
    if (open !== null) closeSync(open);
  };
  return {
    path,
    commit(data) {
      try {
        if (fd === null) throw new Error('it was already written or discarded');
        writeFileSync(fd, data);
        fsyncSync(fd);
        close();
        renameSync(temp, target);
      } catch (error) {
        close();
        removeQuietly(temp);
        throw new OutputError(path, strerror(error));
      }
    },
    discard() {
      close();
      removeQuietly(temp);
    },
  };
}

/**
 * Writes a whole file at once, the same way (for outputs made at the end of a long job).
 * @param {string} path
 * @param {string|Uint8Array} data
 */
export function writeOutput(path, data) {
  openOutput(path).commit(data);
}
