#!/usr/bin/env node
// `npm test`: the whole suite as the current user and, when that is root, again as an
// unprivileged user (both are first-class), with delegated cgroups so that its limit
// tests run through them (test/support/rootless-env.mjs sets both up, and removes the
// cgroups after). Ends with a plain "N passed, N failed" line.
//
//   NSJAIL_TS_TEST_USER  the unprivileged user (default nsjail-ts-test; created if missing)
//   extra arguments      passed to vitest (e.g. a file filter); then the third pass
//                        (through pools, test/support/via-pool.ts) is left out
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { delegateCgroups, testUser, uidOf } from './support/rootless-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const extra = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-test-'));
fs.chmodSync(tmp, 0o755);
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  return newest;
}

/** Tests run against what users get (dist/, build/Release/): rebuild what is stale. */
function ensureBuilt() {
  const outputs = ['build/Release/nsjail_ts.node', 'build/Release/nsjail-ts-init'].map((f) => path.join(root, f));
  const stale = outputs.some((f) => !fs.existsSync(f) || fs.statSync(f).mtimeMs < newestMtime(path.join(root, 'src-native')));
  const steps = stale ? ['build:native', 'build:ts'] : ['build:ts'];
  for (const step of steps) {
    const r = spawnSync('npm', ['run', '--silent', step], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.log(`test: npm run ${step} failed`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
  }
}

/**
 * Runs vitest as `user` (or ourselves) in `dir`, with `cgroups` delegated to that user
 * (or none), `more` environment and vitest arguments; returns { passed, failed, skipped, ok }.
 */
function runVitest(label, dir, user, cgroups, more = { env: {}, args: [] }) {
  // The pass writes its report and vite's cache here, as whichever user it runs as.
  const work = path.join(tmp, label);
  fs.mkdirSync(work);
  if (user) fs.chownSync(work, uidOf(user), -1);
  const report = path.join(work, 'report.json');
  const cache = path.join(work, 'cache');
  const args = [path.join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--configLoader', 'native', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...more.args, ...extra];
  const env = { ...process.env, ...more.env, NSJAIL_TS_CACHE_DIR: cache, NSJAIL_TS_TEST_PASS: label };
  let cmd = process.execPath;
  let argv = args;
  if (user) {
    const delegated = cgroups ? [`NSJAIL_TS_CGROUP_PARENT=${cgroups.parent}`] : [];
    [cmd, argv] = [
      'runuser',
      ['-u', user, '--', 'env', `HOME=${work}`, `NSJAIL_TS_CACHE_DIR=${cache}`, `NSJAIL_TS_TEST_PASS=${label}`, ...delegated, process.execPath, ...args],
    ];
    if (cgroups) {
      [cmd, argv] = cgroups.wrap(cmd, argv);
      console.log(`test: cgroups delegated to ${user}: ${cgroups.parent}`);
    }
  }
  console.log(`\n=== ${label}: vitest as ${user ?? os.userInfo().username} (uid ${user ? uidOf(user) : process.getuid()}) in ${dir}\n`);
  const r = spawnSync(cmd, argv, { cwd: dir, stdio: 'inherit', env });
  let passed = 0, failed = 0, skipped = 0;
  try {
    const j = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed = j.numPassedTests;
    skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    // A file that failed to load ran no test but is a failure all the same.
    const brokenFiles = (j.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
    failed = j.numFailedTests + brokenFiles;
  } catch (e) {
    console.log(`test: ${label}: no report (${e.message}); counting the pass as one failure`);
    failed = 1;
  }
  return { label, passed, failed, skipped, ok: r.status === 0 && failed === 0 };
}

/** The rootless pass needs to read the tree; if a parent directory is closed to it, use a copy. */
function treeFor(user) {
  const probe = spawnSync('runuser', ['-u', user, '--', 'test', '-r', path.join(root, 'build', 'Release', 'nsjail_ts.node')]);
  if (probe.status === 0) return { dir: root, cleanup() {} };
  const copy = path.join(tmp, 'tree');
  console.log(`test: ${user} cannot read ${root}; running the rootless pass from a copy in ${copy}`);
  execFileSync('cp', ['-a', root, copy]);
  fs.rmSync(path.join(copy, '.git'), { recursive: true, force: true });
  execFileSync('chmod', ['-R', 'a+rX', copy]);
  return { dir: copy, cleanup: () => fs.rmSync(copy, { recursive: true, force: true }) };
}

ensureBuilt();
if (!fs.existsSync(vitest)) {
  console.log('test: vitest is missing; run npm install first');
  process.exit(1);
}
const results = [runVitest(process.getuid() === 0 ? 'root' : 'user', root, null)];
if (process.getuid() === 0) {
  const user = testUser();
  const tree = treeFor(user);
  const cgroups = delegateCgroups(user, root);
  try {
    results.push(runVitest('rootless', tree.dir, user, cgroups));
  } finally {
    cgroups?.cleanup();
    tree.cleanup();
  }
} else {
  console.log('\ntest: not root, so only the unprivileged pass ran (run as root for both)');
}
// The fast paths held to the same tests as the direct one: every Container.run through a
// pool (test/support/via-pool.ts), and every stage 0 posix_spawned instead of forked by
// the zygote. zygote.test.ts is about the zygote itself, which this pass turns off.
if (!extra.length) {
  console.log('\ntest: third pass: Container.run through pools, without the zygote (zygote.test.ts left out: it tests the zygote)');
  results.push(
    runVitest(`${results[0].label}-via-pools`, root, null, null, {
      env: { NSJAIL_TS_TEST_VIA: 'pool', NSJAIL_TS_ZYGOTE: '0' },
      args: ['--exclude', 'test/integration/zygote.test.ts'],
    }),
  );
}

console.log('');
for (const r of results) console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
