// `make dist`: the tarball holds the tracked files and the version, nothing the build writes and
// no node_modules, and `make check` passes in it, unpacked in a scratch folder (about two
// minutes: it builds everything from nothing). Its `npm ci` runs from the tarball's lock file
// with npm offline, from the cache `make deps` filled for the checkout: the test reaches no
// network, and fails rather than download.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

import { cleanEnv, make, root, tempDir } from '../support/helpers.mjs';

const version = make(['-s', 'print-VERSION']).trim();
const name = `trimlab-${version}`;
const tarball = join(root, 'build', `${name}.tar.gz`);

/** The files git tracks that the working tree has (dist leaves out a deleted one). */
function trackedFiles() {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  return listed.stdout.split('\0').filter((file) => {
    if (file === '') return false;
    try {
      lstatSync(join(root, file));
      return true;
    } catch {
      return false;
    }
  });
}

test('make dist writes trimlab-VERSION.tar.gz of the tracked files, and make check passes in it', () => {
  make(['dist']);
  const listed = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  const members = listed.stdout.split('\n').filter(Boolean).sort();
  const expected = [...trackedFiles(), '.tarball-version'].map((f) => `${name}/${f}`).sort();
  assert.deepEqual(members, expected);
  for (const member of members)
    assert.doesNotMatch(member, /\/(node_modules|build|web\/gen)\//, member);

  const scratch = tempDir();
  const unpacked = spawnSync('tar', ['-xzf', tarball, '-C', scratch], { encoding: 'utf8' });
  assert.equal(unpacked.status, 0, unpacked.stderr);
  const tree = join(scratch, name);
  assert.ok(!existsSync(join(tree, '.git')));
  make(['check'], { cwd: tree, env: cleanEnv({ npm_config_offline: 'true' }) });
  // Built from the tarball, with no git history: the version it was made at.
  const built = spawnSync(join(tree, 'build', 'trimlab'), ['--version'], { encoding: 'utf8' });
  assert.equal(built.stdout, `trimlab ${version}\n`);
});
