// The demo's static server: serves one folder on 127.0.0.1 only, with the right MIME type for
// .wasm, gzip for text and .wasm when the client accepts it. It refuses any path that leaves
// that folder (checked again on what was opened) and any request whose Host is not this server's
// loopback name and port (DNS rebinding). It also answers GET /api/resident (tools/resident-api.mjs):
// the page's resident memory, read from the browser's process. Usage:
//   node tools/serve.mjs [--port N] [--root DIR]     (PORT in the environment works too)
// Exits 2 with one line when the port is not valid or is already in use, or the root is not a
// readable folder.
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { cleanLine, quote } from '../web/message.js';
import { RESIDENT_MAP_PATH, RESIDENT_PATH, residentEndpoint } from './resident-api.mjs';

const HOST = '127.0.0.1';
/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
// Worth compressing: everything but images (already compressed).
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt']);
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const FORBIDDEN = { status: 403, text: 'forbidden: outside the served folder' };
const NOT_FOUND = { status: 404, text: 'not found' };

/** Whether the real path `path` is `root` (a real path) or inside it. */
function isInside(/** @type {string} */ root, /** @type {string} */ path) {
  return path === root || path.startsWith(root + sep);
}

/** The real path of `path` when it stays inside root, or null; throws when it does not exist. */
function realInside(/** @type {string} */ root, /** @type {string} */ path) {
  const real = realpathSync(path);
  return isInside(root, real) ? real : null;
}

/** The request-target's path, percent-decoded, or null when it is not a plain absolute path. */
function decodedPath(/** @type {string} */ urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  return decoded.includes('\0') || !decoded.startsWith('/') ? null : decoded;
}

/** The URL of the folder `candidate` (inside root) with its slash, each segment encoded. */
function folderUrl(/** @type {string} */ root, /** @type {string} */ candidate) {
  const segments = relative(root, candidate).split(sep).filter(Boolean);
  return `/${segments.map((segment) => `${encodeURIComponent(segment)}/`).join('')}`;
}

/**
 * What `urlPath` names under `root` (a real path): {file} (real, inside root), {redirect} for a
 * folder named without its slash, or {status, text} for a path that leaves root or is missing.
 * Every resolution (the path, then a folder's index.html) is checked against root.
 * @param {string} root
 * @param {string} urlPath the request-target
 * @returns {{file: string} | {redirect: string} | {status: number, text: string}}
 */
export function resolveInside(root, urlPath) {
  const decoded = decodedPath(urlPath);
  if (decoded === null) return FORBIDDEN;
  const candidate = resolve(root, `.${decoded}`);
  if (!isInside(root, candidate)) return FORBIDDEN;
  try {
    const real = realInside(root, candidate);
    if (real === null) return FORBIDDEN;
    if (!statSync(real).isDirectory()) return { file: real };
    if (!decoded.endsWith('/')) return { redirect: folderUrl(root, candidate) };
    const index = realInside(root, join(real, 'index.html'));
    return index === null ? FORBIDDEN : { file: index };
  } catch {
    return NOT_FOUND;
  }
}

/** @type {(a: import('node:fs').Stats, b: import('node:fs').Stats) => boolean} */
const sameFile = (a, b) => a.dev === b.dev && a.ino === b.ino;

/**
 * Opens `file`, a real path resolveInside() accepted, and checks what was opened: a regular file
 * that `file`, resolved again after the open, still names inside root. A path swapped for a
 * symlink (or a FIFO, a device) between the check and the open is refused. Returns {fd, stats},
 * or null (nothing left open).
 * @param {string} root
 * @param {string} file
 * @returns {{fd: number, stats: import('node:fs').Stats} | null}
 */
export function openInside(root, file) {
  let fd = null;
  try {
    // O_NOFOLLOW: the last component must not have become a symlink; O_NONBLOCK: a FIFO cannot hang.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    const again = realInside(root, file);
    if (stats.isFile() && again !== null && sameFile(stats, statSync(again))) return { fd, stats };
  } catch {
    // missing or unreadable: refused below
  }
  if (fd !== null) closeSync(fd);
  return null;
}

/** A weight of Accept-Encoding (RFC 9110 12.4.2), or NaN when malformed. */
function weight(/** @type {string} */ text) {
  return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(text) ? Number(text) : NaN;
}

/**
 * Whether a response may be gzipped for this Accept-Encoding (RFC 9110 12.5.3): comma-separated
 * codings, case-insensitive, each with an optional ;q= weight; gzip (or x-gzip, or *) must have
 * a weight above 0 and not below an identity listed explicitly. A malformed entry counts as absent.
 * @param {string | undefined} header
 * @returns {boolean}
 */
export function acceptsGzip(header) {
  const weights = new Map();
  for (const entry of (header ?? '').split(',')) {
    const [coding, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    let q = 1;
    for (const param of params) {
      const match = /^q\s*=\s*(.*)$/.exec(param);
      if (match) q = weight(match[1]);
    }
    if (coding !== '' && !Number.isNaN(q) && !weights.has(coding)) weights.set(coding, q);
  }
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0;
  return gzip > 0 && gzip >= (weights.get('identity') ?? 0);
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Whether the Host headers of a request that came in on `port` name this server, so a page of
 * another origin cannot reach it through DNS rebinding: exactly one Host, a loopback name with
 * that port (the port may be left out when it is 80, as browsers do), case-insensitive.
 * @param {string[]} hosts every Host header of the request
 * @param {number} port
 * @returns {boolean}
 */
export function hostAllowed(hosts, port) {
  if (hosts.length !== 1) return false;
  const host = hosts[0].toLowerCase();
  return LOOPBACK_NAMES.some(
    (name) => host === `${name}:${port}` || (port === 80 && host === name),
  );
}

/** @typedef {import('node:http').IncomingMessage} Request */
/** @typedef {import('node:http').ServerResponse} Response */

function hostHeaders(/** @type {Request} */ request) {
  return request.rawHeaders.filter(
    (_, i) => i % 2 === 1 && request.rawHeaders[i - 1].toLowerCase() === 'host',
  );
}

function misdirected(/** @type {string[]} */ hosts, /** @type {number} */ port) {
  const named = hosts.length === 1 ? `Host '${quote(hosts[0])}'` : `${hosts.length} Host headers`;
  const allowed = LOOPBACK_NAMES.map((name) => `${name}:${port}`).join(', ');
  return `misdirected request: ${named} (allowed: one Host, ${allowed})`;
}

/**
 * Answers with `text` as one clean line.
 * @param {Response} response
 * @param {number} status
 * @param {string} text
 * @param {Record<string, string>} [headers]
 */
function send(response, status, text, headers = {}) {
  const body = `${cleanLine(text)}\n`;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
    ...headers,
  });
  response.end(body);
}

/**
 * Answers with `body` as one line of JSON, never cached.
 * @param {Response} response
 * @param {import('./resident-api.mjs').Answer} answer
 */
function sendJson(response, { status, body, headers }) {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
    ...headers,
  });
  response.end(text);
}

/**
 * @param {Request} request
 * @param {Response} response
 * @param {string} file
 * @param {{fd: number, stats: import('node:fs').Stats}} opened
 */
function sendFile(request, response, file, { fd, stats }) {
  const headers = {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
    ...SECURITY_HEADERS,
  };
  if (COMPRESSIBLE.has(extname(file)) && acceptsGzip(request.headers['accept-encoding'])) {
    let body;
    try {
      body = compressed(fd, stats);
    } finally {
      closeSync(fd);
    }
    response.writeHead(200, {
      ...headers,
      'Content-Encoding': 'gzip',
      'Content-Length': body.length,
    });
    return response.end(request.method === 'HEAD' ? undefined : body);
  }
  response.writeHead(200, { ...headers, 'Content-Length': stats.size });
  if (request.method === 'HEAD' || stats.size === 0) {
    closeSync(fd);
    return response.end();
  }
  // At most the size announced; pipeline closes the file when the client goes away.
  pipeline(createReadStream('', { fd, start: 0, end: stats.size - 1 }), response, () => {});
}

/**
 * The request handler serving `root`, a real path (serve() resolves it), and the resident endpoint.
 * @param {string} root
 * @param {Parameters<typeof residentEndpoint>[0]} [residentOptions] the endpoint's reader and rate
 * @returns {(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void}
 */
export function handler(root, residentOptions) {
  const resident = residentEndpoint(residentOptions);
  return (request, response) => {
    const hosts = hostHeaders(request);
    const port = request.socket.localPort ?? 0; // 0 (no Host names it) once the socket is gone
    if (!hostAllowed(hosts, port)) return send(response, 421, misdirected(hosts, port));
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return send(response, 405, 'method not allowed');
    const url = request.url ?? '/';
    const [path, ...query] = url.split('#')[0].split('?');
    if (path === RESIDENT_PATH || path === RESIDENT_MAP_PATH)
      return sendJson(response, resident(query.join('?'), request.headers['sec-fetch-site'], path));
    const target = resolveInside(root, url);
    if ('redirect' in target)
      return send(response, 301, `moved to ${target.redirect}`, { Location: target.redirect });
    if ('status' in target) return send(response, target.status, target.text);
    const opened = openInside(root, target.file);
    if (opened === null) return send(response, NOT_FOUND.status, NOT_FOUND.text);
    sendFile(request, response, target.file, opened);
  };
}

// Gzipped bodies by file identity, kept until the file changes: the served tree is small.
const gzipCache = new Map();

function compressed(/** @type {number} */ fd, /** @type {import('node:fs').Stats} */ stats) {
  const key = `${stats.dev}:${stats.ino}`;
  const cached = gzipCache.get(key);
  if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.body;
  const body = gzipSync(readFileSync(fd), { level: 9 });
  gzipCache.set(key, { mtimeMs: stats.mtimeMs, size: stats.size, body });
  return body;
}

/** The real path of `root` when it is a folder this process can list and read; throws one line. */
function servedRoot(/** @type {string} */ root) {
  const named = `root '${quote(root)}'`;
  let real;
  try {
    real = realpathSync(root);
  } catch (error) {
    throw new Error(
      `${named} ${/** @type {{code?: string}} */ (error).code === 'ENOENT' ? 'does not exist' : 'cannot be read'} (allowed: a readable folder)`,
    );
  }
  if (!statSync(real).isDirectory())
    throw new Error(`${named} is not a folder (allowed: a readable folder)`);
  try {
    accessSync(real, constants.R_OK | constants.X_OK);
  } catch {
    throw new Error(`${named} cannot be read (allowed: a readable folder)`);
  }
  return real;
}

/**
 * Starts serving `root`; resolves the server once it listens, rejects with a one-line error when
 * root is not a readable folder or the port cannot be had.
 * @param {string} root
 * @param {number} port 0 for any free port
 * @param {Parameters<typeof residentEndpoint>[0]} [residentOptions] the endpoint's reader and rate
 * @returns {Promise<import('node:http').Server>}
 */
export async function serve(root, port, residentOptions) {
  const server = createServer(handler(servedRoot(root), residentOptions));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolvePromise(server));
  });
}

/**
 * @param {string[]} argv
 * @returns {{port: number, root: string}}
 */
function parseArgs(argv) {
  let port = process.env.PORT ?? '8080';
  let root = join(fileURLToPath(import.meta.url), '..', '..', 'web');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) port = argv[++i];
    else if (argv[i] === '--root' && i + 1 < argv.length) root = argv[++i];
    else throw new Error(`unknown argument '${quote(argv[i])}' (allowed: --port N, --root DIR)`);
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535)
    throw new Error(`PORT '${quote(port)}' is not a port number (allowed 0..65535)`);
  return { port: Number(port), root };
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(cleanLine(`serve: ${message}`));
  process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  /** @type {{port: number, root: string}} */
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    fail(/** @type {Error} */ (error).message);
  }
  serve(options.root, options.port).then(
    (server) =>
      console.log(
        `trimlab is served at http://${HOST}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/ (Ctrl-C stops)`,
      ),
    (error) =>
      fail(
        error.code === 'EADDRINUSE'
          ? `port ${options.port} is already in use; choose another with PORT=N`
          : error.message,
      ),
  );
}
