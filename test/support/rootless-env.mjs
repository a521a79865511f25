// What the rootless pass of `npm test` runs with, set up by root, in one place (for
// test/run.mjs, locally and in CI): the unprivileged test user with a subordinate id
// range, and delegated cgroups for it, as systemd's Delegate=yes hands a user a subtree
// (README.md, "Rootless: a delegated cgroup").
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export function uidOf(user) {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user) {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** The unprivileged test user, created with a subordinate id range if missing. */
export function testUser() {
  const user = process.env.NSJAIL_TS_TEST_USER ?? 'nsjail-ts-test';
  try {
    uidOf(user);
  } catch {
    console.log(`test: creating the unprivileged test user '${user}' (set NSJAIL_TS_TEST_USER to use another)`);
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], { stdio: 'inherit' });
  }
  for (const file of ['/etc/subuid', '/etc/subgid']) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (!text.split('\n').some((l) => l.startsWith(`${user}:`))) {
      // A range of its own, above any other range in the file.
      const top = text.split('\n').map((l) => l.split(':')).filter((p) => p.length === 3)
        .reduce((m, [, start, count]) => Math.max(m, Number(start) + Number(count)), 100000);
      fs.appendFileSync(file, `${user}:${Math.max(top, 200000)}:65536\n`);
    }
  }
  return user;
}

const PREFIX = 'nsjail-ts-rootless-';
/** The hierarchies the limit tests use: v2, and on v1 the controllers of the limits, CPU accounting and the freezer. */
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'freezer'];

function rmdirQuietly(dir) {
  try {
    fs.rmdirSync(dir);
  } catch {
    // busy or gone: the next run's sweep removes it
  }
}

/** Every cgroup below `dir` (the pass's containers, if a test left one), deepest first, then `dir`. */
function removeTree(dir) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeTree(path.join(dir, e.name));
  if (fs.existsSync(path.join(dir, 'cgroup.kill'))) {
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
    } catch {
      // nothing left to kill
    }
  }
  for (let i = 0; i < 50 && fs.existsSync(dir); i++) {
    rmdirQuietly(dir);
    if (fs.existsSync(dir)) execFileSync('sleep', ['0.02']);
  }
}

/**
 * As root: a directory below our own cgroup in each hierarchy, owned by `user` (the
 * directory and cgroup.procs; on v2 also cgroup.threads and cgroup.subtree_control, on v1
 * tasks). On
 * v2 the pass runs in a leaf of it: the kernel moves a process (CLONE_INTO_CGROUP too)
 * into a cgroup only from within a subtree it may write. Directories of earlier runs whose
 * test/run.mjs has gone are removed first. Returns null where there are no cgroups.
 */
export function delegateCgroups(user, root) {
  const require = createRequire(import.meta.url);
  const { dirOf, hierarchiesFrom, parseMountinfo, parseProcCgroup, v1Of } = require(path.join(root, 'dist', 'cgroups', 'detect.js'));
  const host = hierarchiesFrom(parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')), parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')));
  const hierarchies = [...new Set([host.v2, ...V1_CONTROLLERS.map((c) => v1Of(host, c))])].filter((h) => h && !h.readonly && h.caller !== undefined);
  const uid = uidOf(user);
  const gid = gidOf(user);
  const parents = [];
  let runner;
  for (const h of hierarchies) {
    const own = dirOf(h, h.caller);
    if (!own) continue;
    for (const old of fs.readdirSync(own).filter((n) => n.startsWith(PREFIX)))
      if (!fs.existsSync(`/proc/${old.slice(PREFIX.length)}`)) removeTree(path.join(own, old));
    const dir = path.join(own, `${PREFIX}${process.pid}`);
    fs.mkdirSync(dir);
    parents.push(dir);
    const owned = h.version === 2 ? ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control'] : ['cgroup.procs', 'tasks'];
    for (const f of ['', ...owned]) fs.chownSync(path.join(dir, f), uid, gid);
    if (h.version === 2) {
      runner = path.join(dir, 'runner');
      fs.mkdirSync(runner);
    }
  }
  if (parents.length === 0) return null;
  return {
    /** NSJAIL_TS_CGROUP_PARENT for the pass. */
    parent: parents.join(','),
    /** [cmd, args] that start `cmd args` in the v2 leaf. */
    wrap(cmd, args) {
      return runner ? ['sh', ['-c', 'echo 0 > "$0" && exec "$@"', path.join(runner, 'cgroup.procs'), cmd, ...args]] : [cmd, args];
    },
    cleanup() {
      for (const dir of parents) removeTree(dir);
    },
  };
}
