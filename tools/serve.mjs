// The demo's static server: serves one folder on 127.0.0.1 only, with the right MIME type for
// .wasm, gzip for text and .wasm when the client accepts it, and refuses any path that leaves
// that folder. Usage:
//   node tools/serve.mjs [--port N] [--root DIR]     (PORT in the environment works too)
// Exits 2 with one line when the port is not valid or is already in use.
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const HOST = '127.0.0.1';
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

/** The file under `root` that `urlPath` names, or null when it would leave root. */
export function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return null;
  const candidate = resolve(root, `.${decoded}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  try {
    const real = realpathSync(candidate); // refuse symlinks pointing out of root too
    if (real !== root && !real.startsWith(root + sep)) return null;
    return statSync(real).isDirectory() ? join(real, 'index.html') : real;
  } catch {
    return candidate; // missing: answered 404 by the caller
  }
}

function send(response, status, text) {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  response.end(`${text}\n`);
}

export function handler(root) {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed');
    const file = resolveInside(root, request.url);
    if (file === null) return send(response, 403, 'forbidden: outside the served folder');
    let stats;
    try {
      stats = statSync(file);
    } catch {
      return send(response, 404, 'not found');
    }
    const headers = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      Vary: 'Accept-Encoding',
      ...SECURITY_HEADERS,
    };
    if (COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      const body = compressed(file, stats);
      response.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
      return response.end(request.method === 'HEAD' ? undefined : body);
    }
    response.writeHead(200, { ...headers, 'Content-Length': stats.size });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file).pipe(response);
  };
}

// Gzipped bodies, kept until the file changes: the served tree is small.
const gzipCache = new Map();

function compressed(file, stats) {
  const cached = gzipCache.get(file);
  if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.body;
  const body = gzipSync(readFileSync(file), { level: 9 });
  gzipCache.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, body });
  return body;
}

/** Starts serving `root`; resolves the server once it listens. */
export function serve(root, port) {
  const realRoot = realpathSync(root);
  const server = createServer(handler(realRoot));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolvePromise(server));
  });
}

function parseArgs(argv) {
  const options = { port: process.env.PORT ?? '8080', root: join(fileURLToPath(import.meta.url), '..', '..', 'web') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) options.port = argv[++i];
    else if (argv[i] === '--root' && i + 1 < argv.length) options.root = argv[++i];
    else throw new Error(`unknown argument '${argv[i]}' (allowed: --port N, --root DIR)`);
  }
  if (!/^\d+$/.test(options.port) || Number(options.port) > 65535)
    throw new Error(`PORT '${options.port}' is not a port number (allowed 0..65535)`);
  options.port = Number(options.port);
  return options;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`serve: ${error.message}`);
    process.exit(2);
  }
  serve(options.root, options.port).then(
    (server) => console.log(`trimlab is served at http://${HOST}:${server.address().port}/ (Ctrl-C stops)`),
    (error) => {
      const why = error.code === 'EADDRINUSE' ? `port ${options.port} is already in use; choose another with PORT=N` : error.message;
      console.error(`serve: ${why}`);
      process.exit(2);
    },
  );
}
