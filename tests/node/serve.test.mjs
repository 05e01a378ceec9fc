// Tests of the demo's static server (tools/serve.mjs): serve() on 127.0.0.1 port 0 over a temporary
// root with a secret file next to it, and the command line. Requests that try to leave the root are
// sent as raw request lines through net.Socket, because fetch and node:http normalise paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { serve } from '../../tools/serve.mjs';
import { root as repoRoot, tempDir } from './helpers.mjs';

const serveScript = join(repoRoot, 'tools', 'serve.mjs');
const SECRET = `trimlab-secret-${process.pid}-${Date.now()}`;

// tmp/root: what is served; tmp/outside: what must never be.
const tmp = tempDir();
const root = join(tmp, 'root');
const outside = join(tmp, 'outside');
mkdirSync(join(root, 'sub'), { recursive: true });
mkdirSync(outside);
const files = {
  'index.html': '<!doctype html><title>trimlab</title>',
  'app.js': 'export const answer = 42;\n',
  'module.wasm': Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  'data.json': '{"format": "trimlab-results"}\n',
  'blob.bin': Buffer.from([1, 2, 3]),
  'sub/index.html': '<!doctype html><title>sub</title>',
};
for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
writeFileSync(join(outside, 'secret.txt'), SECRET);
writeFileSync(join(tmp, 'secret.txt'), SECRET);
symlinkSync(outside, join(root, 'escape-dir'));
symlinkSync(join(outside, 'secret.txt'), join(root, 'escape-file.txt'));
symlinkSync(join(root, 'app.js'), join(root, 'inside-link.js'));

let server;
let port;
before(async () => {
  server = await serve(root, 0);
  port = server.address().port;
});
after(() => new Promise((resolve) => server.close(resolve)));

/** Sends `target` as the raw request-target of one request; resolves {status, headers, raw}. */
function rawRequest(target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(10000, () => socket.destroy(new Error(`timeout on ${target}`)));
    socket.on('connect', () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        'latin1');
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head] = raw.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, raw });
    });
  });
}

const url = (path) => `http://127.0.0.1:${port}${path}`;

function assertSecurityHeaders(headers, what) {
  const get = (name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.match(csp, /default-src 'self'/, what);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, what);
  assert.match(csp, /object-src 'none'/, what);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.equal(get('x-content-type-options'), 'nosniff', what);
}

test('it listens on 127.0.0.1 only', async (t) => {
  const address = server.address();
  assert.equal(address.address, '127.0.0.1');
  assert.equal(address.family, 'IPv4');
  assert.ok(port > 0);
  // Nothing answers on the same port at the IPv6 loopback or at this machine's other addresses.
  const others = ['::1'];
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? [])
      if (!entry.internal && entry.family === 'IPv4') others.push(entry.address);
  for (const host of others) {
    const outcome = await new Promise((resolve) => {
      const socket = net.connect({ port, host });
      socket.setTimeout(5000, () => { socket.destroy(); resolve('timeout'); });
      socket.on('connect', () => { socket.destroy(); resolve('connected'); });
      socket.on('error', (error) => resolve(error.code));
    });
    assert.notEqual(outcome, 'connected', `port ${port} answers on ${host}`);
    t.diagnostic(`${host}: ${outcome}`);
  }
});

test('it serves files with their MIME types, the CSP and the exact bytes', async () => {
  const expected = {
    '/index.html': 'text/html; charset=utf-8',
    '/app.js': 'text/javascript; charset=utf-8',
    '/module.wasm': 'application/wasm',
    '/data.json': 'application/json; charset=utf-8',
    '/blob.bin': 'application/octet-stream',
    '/inside-link.js': 'text/javascript; charset=utf-8',
  };
  for (const [path, type] of Object.entries(expected)) {
    // identity: Content-Length then counts the file's own bytes (gzip is tested below).
    const response = await fetch(url(path), { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), type, path);
    assertSecurityHeaders(response.headers, path);
    const body = Buffer.from(await response.arrayBuffer());
    const file = path === '/inside-link.js' ? 'app.js' : path.slice(1);
    assert.deepEqual(body, readFileSync(join(root, file)), path);
    assert.equal(Number(response.headers.get('content-length')), body.length, path);
  }
});

test('a folder serves its index.html, and HEAD sends the headers only', async () => {
  for (const [path, file] of [['/', 'index.html'], ['/sub/', 'sub/index.html'], ['/sub', 'sub/index.html']]) {
    const response = await fetch(url(path));
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8', path);
    assert.equal(await response.text(), readFileSync(join(root, file), 'utf8'), path);
  }
  const head = await rawRequest('/module.wasm', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-type'], 'application/wasm');
  assert.equal(Number(head.headers['content-length']), 8);
  assert.equal(head.raw.split('\r\n\r\n')[1], '', 'HEAD sent a body');
});

test('a query string or fragment does not change the file', async () => {
  const response = await fetch(url('/data.json?v=1'));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), files['data.json']);
  const raw = await rawRequest('/data.json#x');
  assert.equal(raw.status, 200);
});

test('missing files answer 404 with the security headers', async () => {
  for (const path of ['/missing.js', '/sub/missing.html', '/nope/', '/index.html/extra']) {
    const response = await fetch(url(path));
    assert.equal(response.status, 404, path);
    assertSecurityHeaders(response.headers, path);
    assert.doesNotMatch(await response.text(), new RegExp(SECRET));
  }
});

test('POST, PUT and DELETE answer 405', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const response = await fetch(url('/index.html'), { method, body: method === 'DELETE' ? undefined : 'x' });
    assert.equal(response.status, 405, method);
    assertSecurityHeaders(response.headers, method);
  }
});

// Every attempt to reach tmp/outside/secret.txt or tmp/secret.txt from tmp/root.
const refused = {
  'raw /../': '/../outside/secret.txt',
  'raw /.. alone': '/..',
  'raw /../ to the parent file': '/../secret.txt',
  'raw /sub/../../': '/sub/../../outside/secret.txt',
  'raw deep /../../../': '/../../../../../../../../etc/passwd',
  'percent-encoded %2e%2e/': '/%2e%2e/outside/secret.txt',
  'percent-encoded %2E%2E/': '/%2E%2E/secret.txt',
  '..%2f': '/..%2foutside%2fsecret.txt',
  '..%2F': '/..%2Fsecret.txt',
  'all encoded %2e%2e%2f': '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'mixed .%2e/': '/.%2e/outside/secret.txt',
  'NUL byte %00': '/index.html%00.js',
  'NUL byte after ..': '/..%00/secret.txt',
  'NUL byte alone': '/%00',
  'malformed percent-encoding': '/%E0%A4%A',
  'absolute-form request-target': `http://127.0.0.1/../outside/secret.txt`,
  'symlink to a folder outside': '/escape-dir/secret.txt',
  'symlink to a file outside': '/escape-file.txt',
};

test('traversal attempts are refused with 403 and never reach the file', async () => {
  for (const [name, target] of Object.entries(refused)) {
    const response = await rawRequest(target);
    assert.ok(!response.raw.includes(SECRET), `${name}: the secret was sent`);
    assert.equal(response.status, 403, `${name} (${target})`);
    assertSecurityHeaders(response.headers, name);
  }
});

// Paths that do not leave the root on Linux (they name missing files inside it): 404 or 403,
// never the file outside.
const notOutside = {
  'double-encoded %252e%252e/': '/%252e%252e/outside/secret.txt',
  'double-encoded %252e%252e%252f': '/%252e%252e%252fsecret.txt',
  'absolute path //etc/passwd': '//etc/passwd',
  'absolute path to the secret': `/${join(outside, 'secret.txt')}`,
  'backslashes raw': '/..\\outside\\secret.txt',
  'backslashes encoded %5c': '/..%5c..%5csecret.txt',
  'backslash before ..': '/%5c..%5coutside%5csecret.txt',
};

test('double-encoded, absolute and backslash paths answer 404 or 403, never the file', async (t) => {
  for (const [name, target] of Object.entries(notOutside)) {
    const response = await rawRequest(target);
    assert.ok(!response.raw.includes(SECRET), `${name}: the secret was sent`);
    assert.ok([403, 404].includes(response.status), `${name} (${target}): ${response.status}`);
    t.diagnostic(`${name}: ${response.status}`);
  }
});

// ---- the command line ----

function runServe(args, env = {}) {
  const result = spawnSync(process.execPath, [serveScript, ...args], {
    encoding: 'utf8',
    timeout: 15000,
    env: { ...process.env, PORT: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stderrLines(result) {
  return result.stderr.split('\n').filter((line) => line !== '');
}

test('a port in use: exit 2 with one line naming the port', async () => {
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = blocker.address().port;
  try {
    const result = runServe(['--port', String(busy), '--root', root]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(stderrLines(result).length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`\\b${busy}\\b`));
    assert.match(result.stderr, /in use/);
    assert.equal(result.stdout, '');
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('PORT=abc, --port 70000 and unknown arguments: exit 2 with one line naming the value', () => {
  const cases = [
    [[], { PORT: 'abc' }, 'abc'],
    [['--port', '70000'], {}, '70000'],
    [['--port', '-1'], {}, '-1'],
    [['--port', '80x'], {}, '80x'],
    [['--verbose'], {}, '--verbose'],
  ];
  for (const [args, env, named] of cases) {
    const result = runServe([...args, '--root', root], env);
    const what = `${JSON.stringify(args)} ${JSON.stringify(env)}`;
    assert.equal(result.code, 2, `${what}: ${result.stderr}`);
    assert.equal(stderrLines(result).length, 1, `${what}: ${result.stderr}`);
    assert.ok(result.stderr.includes(named), `${what}: ${result.stderr}`);
    assert.equal(result.stdout, '', what);
  }
});

test('node tools/serve.mjs --port 0 serves the root and says where', async () => {
  const child = spawn(process.execPath, [serveScript, '--port', '0', '--root', root], {
    env: { ...process.env, PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no address line: ${out}`)), 15000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(out.split('\n')[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
    });
    const match = line.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    assert.ok(match, line);
    const response = await fetch(`http://127.0.0.1:${match[1]}/module.wasm`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/wasm');
  } finally {
    child.kill();
  }
});

test('text and .wasm are sent gzipped to a client that accepts it, and as they are otherwise', async () => {
  const { request } = await import('node:http');
  const { gunzipSync } = await import('node:zlib');
  const get = (path, headers) => new Promise((resolve, reject) => {
    request(url(path), { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
  for (const name of ['app.js', 'module.wasm', 'data.json', 'index.html']) {
    const expected = Buffer.from(files[name]);
    const zipped = await get(`/${name}`, { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(zipped.headers['content-encoding'], 'gzip', name);
    assert.equal(Number(zipped.headers['content-length']), zipped.body.length, name);
    assert.deepEqual(gunzipSync(zipped.body), expected, name);
    const plain = await get(`/${name}`, {});
    assert.equal(plain.headers['content-encoding'], undefined, name);
    assert.deepEqual(plain.body, expected, name);
  }
  const binary = await get('/blob.bin', { 'Accept-Encoding': 'gzip' });
  assert.equal(binary.headers['content-encoding'], undefined, 'unknown types are sent as they are');
});
