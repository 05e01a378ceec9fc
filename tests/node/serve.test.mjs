// Tests of the demo's static server (tools/serve.mjs): serve() on 127.0.0.1 port 0 over a temporary
// root with a secret file next to it, and the command line. Requests that try to leave the root or
// carry odd Host headers are sent raw through net.Socket, because fetch and node:http normalise them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import { serve } from '../../tools/serve.mjs';
// The functions added with the hostile-input fixes, looked up per test.
import * as serveModule from '../../tools/serve.mjs';
import { root as repoRoot, tempDir } from '../support/helpers.mjs';

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
// Folders inside the root whose index.html leads out of it, or back into it.
mkdirSync(join(root, 'index-out'));
symlinkSync(join(outside, 'secret.txt'), join(root, 'index-out', 'index.html'));
mkdirSync(join(root, 'index-dir-out'));
symlinkSync(outside, join(root, 'index-dir-out', 'index.html'));
mkdirSync(join(root, 'index-in'));
symlinkSync(join(root, 'sub', 'index.html'), join(root, 'index-in', 'index.html'));
mkdirSync(join(root, 'evil.com'));

let server;
let port;
before(async () => {
  server = await serve(root, 0);
  port = server.address().port;
});
after(() => new Promise((resolve) => server.close(resolve)));

/**
 * Sends `target` as the raw request-target of one request with the header lines `head` (by
 * default this server's Host); resolves {status, headers, raw}.
 */
function rawRequest(
  target,
  method = 'GET',
  head = [`Host: 127.0.0.1:${port}`],
  version = 'HTTP/1.1',
) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(10000, () => socket.destroy(new Error(`timeout on ${target}`)));
    socket.on('connect', () => {
      const lines = [`${method} ${target} ${version}`, ...head, 'Connection: close', '', ''];
      socket.write(lines.join('\r\n'), 'latin1');
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
      socket.setTimeout(5000, () => {
        socket.destroy();
        resolve('timeout');
      });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
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
  for (const [path, file] of [
    ['/', 'index.html'],
    ['/sub/', 'sub/index.html'],
    ['/sub', 'sub/index.html'],
  ]) {
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
    const response = await fetch(url('/index.html'), {
      method,
      body: method === 'DELETE' ? undefined : 'x',
    });
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
  const get = (path, headers) =>
    new Promise((resolve, reject) => {
      request(url(path), { headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ headers: response.headers, body: Buffer.concat(chunks) }),
        );
      })
        .on('error', reject)
        .end();
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

// ---- hostile input: a folder's index.html, a swapped file, Accept-Encoding, Host, a bad root ----

test("a folder's index.html that leads out of the root is refused; one that stays inside is served", async () => {
  for (const path of ['/index-out/', '/index-dir-out/', '/index-dir-out/index.html/secret.txt']) {
    const response = await rawRequest(path);
    assert.ok(!response.raw.includes(SECRET), `${path}: the secret was sent`);
    assert.equal(response.status, 403, path);
    assertSecurityHeaders(response.headers, path);
  }
  const inside = await rawRequest('/index-in/');
  assert.equal(inside.status, 200);
  assert.equal(inside.raw.split('\r\n\r\n')[1], files['sub/index.html']);
});

test('a folder named without its slash is redirected to it, on this origin, and checked there', async () => {
  const cases = {
    '/sub': '/sub/',
    '/index-out': '/index-out/',
    '/sub/../index-in': '/index-in/',
    '//evil.com': '/evil.com/', // never the protocol-relative //evil.com/
    '/evil.com?next=1': '/evil.com/',
  };
  for (const [target, location] of Object.entries(cases)) {
    const response = await rawRequest(target);
    assert.ok(!response.raw.includes(SECRET), `${target}: the secret was sent`);
    assert.equal(response.status, 301, target);
    assert.equal(response.headers.location, location, target);
    assertSecurityHeaders(response.headers, target);
  }
  assert.equal((await rawRequest('/index-out/')).status, 403);
});

test('a path swapped for a symlink out of the root between the check and the open is refused', () => {
  const { resolveInside, openInside } = serveModule;
  const swapRoot = join(tmp, 'swap-root');
  mkdirSync(join(swapRoot, 'dir'), { recursive: true });
  writeFileSync(join(swapRoot, 'dir', 'secret.txt'), 'inside');
  writeFileSync(join(swapRoot, 'file.txt'), 'inside');
  const checkedInDir = resolveInside(swapRoot, '/dir/secret.txt');
  const checkedFile = resolveInside(swapRoot, '/file.txt');
  assert.equal(checkedInDir.file, join(swapRoot, 'dir', 'secret.txt'));
  assert.equal(checkedFile.file, join(swapRoot, 'file.txt'));
  const opened = openInside(swapRoot, checkedFile.file);
  assert.ok(
    opened !== null && opened.stats.size === 'inside'.length,
    'the unswapped file is opened',
  );
  // The swap: the folder becomes a symlink to tmp/outside, the file a symlink to the secret.
  renameSync(join(swapRoot, 'dir'), join(swapRoot, 'dir-was'));
  symlinkSync(outside, join(swapRoot, 'dir'));
  renameSync(join(swapRoot, 'file.txt'), join(swapRoot, 'file-was.txt'));
  symlinkSync(join(outside, 'secret.txt'), join(swapRoot, 'file.txt'));
  assert.equal(openInside(swapRoot, checkedInDir.file), null, 'a folder swapped for a symlink');
  assert.equal(openInside(swapRoot, checkedFile.file), null, 'a file swapped for a symlink');
});

test('a FIFO in the root answers 404 at once instead of being opened for reading', async () => {
  const made = spawnSync('mkfifo', [join(root, 'pipe.js')]);
  assert.equal(made.status, 0, String(made.stderr));
  const response = await rawRequest('/pipe.js');
  assert.equal(response.status, 404);
});

test('Accept-Encoding is parsed: codings, weights, case and *; q=0 refuses gzip', async () => {
  const { request } = await import('node:http');
  const encodingOf = (acceptEncoding) =>
    new Promise((resolve, reject) => {
      request(url('/app.js'), { headers: { 'Accept-Encoding': acceptEncoding } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers['content-encoding'] ?? 'identity'));
      })
        .on('error', reject)
        .end();
    });
  // What RFC 9110 section 12.5.3 asks of each header.
  const expected = {
    'gzip;q=0, identity': 'identity',
    'gzip; q=0': 'identity',
    'GZIP;Q=0.000': 'identity',
    'foo-gzip-bar': 'identity',
    'gzipx, xgzip': 'identity',
    'deflate, br': 'identity',
    '*;q=0': 'identity',
    '*, gzip;q=0': 'identity',
    'gzip;q=0.5, identity': 'identity',
    'gzip;q=2': 'identity', // not a weight: the entry is ignored
    gzip: 'gzip',
    GZip: 'gzip',
    'br, gzip;q=0.8': 'gzip',
    'x-gzip': 'gzip',
    '*': 'gzip',
    'identity;q=0.5, gzip': 'gzip',
    'deflate , gzip ; q=1.0': 'gzip',
  };
  for (const [header, encoding] of Object.entries(expected))
    assert.equal(await encodingOf(header), encoding, `Accept-Encoding: ${header}`);
});

test('a Host that is not this server (DNS rebinding), two Hosts or none: 421 with one line', async () => {
  const refusedHosts = {
    'another name': ['Host: attacker.example'],
    'another name with the port': [`Host: attacker.example:${port}`],
    'the right name, no port': ['Host: 127.0.0.1'],
    'the right name, another port': [`Host: localhost:${port + 1}`],
    'a suffix': [`Host: localhost.attacker.example:${port}`],
    'a userinfo trick': [`Host: 127.0.0.1:${port}@attacker.example`],
    'two Hosts': [`Host: 127.0.0.1:${port}`, 'Host: attacker.example'],
  };
  for (const [name, head] of Object.entries(refusedHosts)) {
    const response = await rawRequest('/app.js', 'GET', head);
    const body = response.raw.split('\r\n\r\n')[1] ?? '';
    assert.ok([400, 421].includes(response.status), `${name}: ${response.status}`);
    assert.ok(!body.includes(files['app.js']), `${name}: the file was sent`);
    if (response.status === 421) {
      assert.equal(body.split('\n').filter(Boolean).length, 1, `${name}: ${body}`);
      assertSecurityHeaders(response.headers, name);
    }
  }
  const tricky = await rawRequest('/app.js', 'GET', [`Host: attacker.example:${port}`]);
  assert.equal(tricky.status, 421);
  assert.match(
    tricky.raw.split('\r\n\r\n')[1],
    new RegExp(`'attacker\\.example:${port}'.*127\\.0\\.0\\.1:${port}`),
  );
  // HTTP/1.0 may omit Host, and Node lets it through: refused here.
  const noHost = await rawRequest('/app.js', 'GET', [], 'HTTP/1.0');
  assert.equal(noHost.status, 421);
  for (const host of [
    `127.0.0.1:${port}`,
    `localhost:${port}`,
    `LocalHost:${port}`,
    `[::1]:${port}`,
  ])
    assert.equal((await rawRequest('/app.js', 'GET', [`Host: ${host}`])).status, 200, host);
});

test('hostAllowed: a loopback name with the port, which browsers leave out only for port 80', () => {
  const { hostAllowed } = serveModule;
  assert.equal(hostAllowed(['localhost:8080'], 8080), true);
  assert.equal(hostAllowed(['localhost'], 8080), false);
  assert.equal(hostAllowed(['localhost'], 80), true);
  assert.equal(hostAllowed(['[::1]'], 80), true);
  assert.equal(hostAllowed(['example.com'], 80), false);
  assert.equal(hostAllowed([], 80), false);
  assert.equal(hostAllowed(['localhost', 'localhost'], 80), false);
});

test('serve() with a root that is missing or a file rejects with one line instead of throwing', async () => {
  await assert.rejects(
    serve(join(tmp, 'missing'), 0),
    /^Error: root '.*missing' does not exist \(allowed: a readable folder\)$/,
  );
  await assert.rejects(serve(join(root, 'app.js'), 0), /^Error: root '.*app\.js' is not a folder/);
});

test('--root missing, a file, unreadable, or a name with a newline; a port with one: exit 2, one clean line', () => {
  const unreadableParent = tempDir(); // its own: tmp (0700) is not reachable by nobody
  mkdirSync(join(unreadableParent, 'root'));
  chmodSync(unreadableParent, 0o755);
  chmodSync(join(unreadableParent, 'root'), 0o000);
  // root reads everything: the unreadable case runs as nobody.
  const asOther = process.geteuid() === 0 ? { uid: 65534, gid: 65534 } : {};
  const cases = [
    [
      ['--root', '/nonexistent-trimlab'],
      { PORT: '0' },
      {},
      "root '/nonexistent-trimlab' does not exist",
    ],
    [['--root', join(root, 'app.js')], { PORT: '0' }, {}, 'is not a folder'],
    [['--root', join(unreadableParent, 'root')], { PORT: '0' }, asOther, 'cannot be read'],
    [['--root', `${tmp}/new\nline\u001b[31m`], { PORT: '0' }, {}, "new?line?[31m' does not exist"],
    [['--root', root, '--port', '80\n80'], {}, {}, "PORT '80?80' is not a port number"],
    [['--root', root], { PORT: '8'.repeat(100) }, {}, '(100 bytes)'],
  ];
  for (const [args, env, spawnOptions, named] of cases) {
    const result = spawnSync(process.execPath, [serveScript, ...args], {
      encoding: 'utf8',
      timeout: 15000,
      env: { ...process.env, PORT: '', ...env },
      ...spawnOptions,
    });
    const what = JSON.stringify(args);
    assert.equal(result.status, 2, `${what}: ${result.stderr}`);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, `${what}: ${result.stderr}`);
    assert.ok(result.stderr.includes(named), `${what}: ${result.stderr}`);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f]/, what);
    assert.equal(result.stdout, '', what);
  }
});

// ---- the resident endpoint (GET /api/resident; against browsers: resident-endpoint.test.mjs) ----

const TAG = '0123456789abcdef0123456789ABCDEF';
const residentTarget = (query) => `/api/resident?${query}`;

/** The parsed JSON body of a raw response, checked to be one line of JSON. */
function jsonBody(response) {
  const body = response.raw.split('\r\n\r\n')[1];
  assert.equal(body.split('\n').filter(Boolean).length, 1, body);
  assert.match(response.headers['content-type'], /^application\/json/);
  return JSON.parse(body);
}

test('/api/resident: a foreign Host gets 421 like any other path', async () => {
  for (const head of [['Host: attacker.example'], [`Host: attacker.example:${port}`]]) {
    const response = await rawRequest(residentTarget(`bytes=65536&tag=${TAG}&at=0`), 'GET', head);
    assert.equal(response.status, 421, head[0]);
    assert.doesNotMatch(response.raw, /resident_bytes|"error"/);
  }
});

test('/api/resident: bad parameters get 400 with one line naming the value and the range', async () => {
  const good = { bytes: '65536', tag: TAG, at: '0' };
  const query = (changes) =>
    Object.entries({ ...good, ...changes })
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
  const cases = [
    [query({ bytes: '0' }), "bytes '0'", 'a multiple of 65536 from 65536 to 4294967296'],
    [query({ bytes: '65537' }), "bytes '65537'", 'a multiple of 65536'],
    [query({ bytes: '4295032832' }), "bytes '4295032832'", 'to 4294967296'],
    [query({ bytes: '-65536' }), "bytes '-65536'", 'a multiple of 65536'],
    [query({ bytes: '6.5e4' }), "bytes '6.5e4'", 'a multiple of 65536'],
    [query({ bytes: '0x10000' }), "bytes '0x10000'", 'a multiple of 65536'],
    [query({ bytes: '' }), "bytes ''", 'a multiple of 65536'],
    [query({ tag: 'abc' }), "tag 'abc'", '32 hex digits'],
    [query({ tag: `${TAG}00` }), `tag '${TAG}00'`, '32 hex digits'],
    [query({ tag: 'g'.repeat(32) }), `tag '${'g'.repeat(32)}'`, '32 hex digits'],
    [query({ at: '65521' }), "at '65521'", '0 to 65520'],
    [query({ at: '-1' }), "at '-1'", '0 to 65520'],
    [query({ at: 'x' }), "at 'x'", '0 to 65520'],
    [query({ bytes: undefined }), 'parameter bytes missing', 'bytes, tag and at, once each'],
    [`${query({})}&at=1`, 'parameter at given 2 times', 'once each'],
    [`${query({})}&pid=1`, "unknown parameter 'pid'", 'bytes, tag, at'],
    [`${query({})}?x=1`, "at '0?x=1'", '0 to 65520'],
    [query({ tag: '%1b[31m%0a' }), "tag '?[31m?'", '32 hex digits'],
    [query({ at: '9'.repeat(100) }), '... (100 bytes)', '0 to 65520'],
  ];
  for (const [search, named, allowed] of cases) {
    const response = await rawRequest(residentTarget(search));
    assert.equal(response.status, 400, search);
    const { error } = jsonBody(response);
    assert.ok(error.includes(named), `${search}: ${error}`);
    assert.ok(error.includes(`(allowed: ${allowed}`) || error.includes(allowed), error);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    assert.doesNotMatch(error, /[\u0000-\u001f]/, search);
    assertSecurityHeaders(response.headers, search);
  }
});

test('/api/resident: a memory no browser of this user holds gets 404, one line, no pid or path', async () => {
  const bytes = 4093 * 65536;
  const tag = crypto.getRandomValues(Buffer.alloc(16)).toString('hex');
  const response = await rawRequest(residentTarget(`bytes=${bytes}&tag=${tag}&at=16`));
  assert.equal(response.status, 404);
  assert.deepEqual(jsonBody(response), {
    error: `no mapping of ${bytes} bytes in a browser process of this user`,
  });
  assert.equal(response.headers['cache-control'], 'no-store');
});

test('/api/resident: over 50 requests in a second get 429 with one line; the page is still served', async () => {
  // A clock that does not move: exactly the bucket's 50 go through, whatever the machine's speed.
  const read = { count: 0 };
  const frozen = await serve(root, 0, {
    now: () => 0,
    reader: { read: () => (read.count++, null) },
  });
  const frozenPort = frozen.address().port;
  try {
    const statuses = [];
    for (let i = 0; i < 60; i++) {
      const response = await fetch(
        `http://127.0.0.1:${frozenPort}${residentTarget(`bytes=65536&tag=${TAG}&at=0`)}`,
      );
      statuses.push(response.status);
      const text = await response.text();
      if (response.status === 429) {
        assert.equal(response.headers.get('retry-after'), '1');
        assert.deepEqual(JSON.parse(text), { error: 'too many requests (allowed: 50 per second)' });
      }
    }
    assert.deepEqual(statuses, [...Array(50).fill(404), ...Array(10).fill(429)]);
    assert.equal(read.count, 50, 'a refused request reads nothing');
    const page = await fetch(`http://127.0.0.1:${frozenPort}/app.js`);
    assert.equal(page.status, 200);
  } finally {
    await new Promise((resolve) => frozen.close(resolve));
  }
});

test('rateLimiter: a bucket of 50 that refills at 50 per second', async () => {
  const { rateLimiter } = await import('../../tools/resident-api.mjs');
  let time = 1000;
  const allow = rateLimiter(50, () => time);
  const burst = () => Array.from({ length: 60 }, () => allow()).filter(Boolean).length;
  assert.equal(burst(), 50);
  time += 100; // 5 more
  assert.equal(burst(), 5);
  time += 10_000; // never more than 50 at once
  assert.equal(burst(), 50);
});

test('/api/resident: another site is refused with 403 and one line, and does not use up the limit', async () => {
  // Frozen clock: 60 requests counted toward the limit would leave none for the page.
  const read = { count: 0 };
  const frozen = await serve(root, 0, {
    now: () => 0,
    reader: { read: () => (read.count++, null) },
  });
  const target = `http://127.0.0.1:${frozen.address().port}${residentTarget(`bytes=65536&tag=${TAG}&at=0`)}`;
  const get = (site) =>
    fetch(target, { headers: site === undefined ? {} : { 'Sec-Fetch-Site': site } });
  try {
    for (let i = 0; i < 60; i++) {
      const site = ['cross-site', 'same-site', 'same-origin, cross-site'][i % 3];
      const response = await get(site);
      assert.equal(response.status, 403, site);
      const { error } = await response.json();
      assert.ok(error.startsWith('request from another site refused'), error);
      assert.ok(error.includes(`Sec-Fetch-Site '${site}' (allowed: same-origin, none)`), error);
    }
    assert.equal(read.count, 0, 'a refused request reads nothing');
    // The page's own requests, the address bar's and those without the header (curl) get answers.
    for (const site of ['same-origin', 'none', undefined]) {
      const response = await get(site);
      assert.equal(response.status, 404, String(site));
      await response.text();
    }
    assert.equal(read.count, 3);
  } finally {
    await new Promise((resolve) => frozen.close(resolve));
  }
});

test('/api/resident-map: numbers only, one rate limit with /api/resident, another site refused', async () => {
  const calls = { read: 0, map: 0 };
  const frozen = await serve(root, 0, {
    now: () => 0,
    reader: {
      read: () => (calls.read++, null),
      readMap: () => (
        calls.map++,
        { host: 'chromium', matched: 'tag', residency: { page_bytes: 4096, runs: [10, 6] } }
      ),
    },
  });
  const base = `http://127.0.0.1:${frozen.address().port}`;
  const query = `bytes=65536&tag=${TAG}&at=0`;
  try {
    const crossSite = await fetch(`${base}/api/resident-map?${query}`, {
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    });
    assert.equal(crossSite.status, 403);
    await crossSite.text();
    const bad = await fetch(`${base}/api/resident-map?bytes=12&tag=${TAG}&at=0`);
    assert.equal(bad.status, 400);
    await bad.text();
    const answer = await fetch(`${base}/api/resident-map?${query}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), {
      host: 'chromium',
      matched: 'tag',
      page_bytes: 4096,
      runs: [10, 6],
    });
    // 2 requests used of the bucket's 50 (the cross-site one used none): 48 more of either path.
    const statuses = [];
    for (let i = 0; i < 50; i++) {
      const path = i % 2 ? '/api/resident' : '/api/resident-map';
      const response = await fetch(`${base}${path}?${query}`);
      statuses.push(response.status);
      await response.text();
    }
    assert.equal(statuses.filter((status) => status === 429).length, 2, String(statuses));
    assert.deepEqual(calls, { read: 24, map: 25 });
  } finally {
    await new Promise((resolve) => frozen.close(resolve));
  }
});
