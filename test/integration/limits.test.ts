/**
 * Resource limits for real (README.md, "Limits and results"): a memory hog, a fork bomb, a
 * busy loop and a flood, each held by the limit a bounded test has just proved, always
 * under a wall-time limit; what a container used; its cgroups gone after destroy() and
 * after its owner was SIGKILLed.
 *
 * As root the cgroups go under the caller's own cgroup in each hierarchy; in the rootless
 * pass under the parents test/run.mjs delegated to the test user (NSJAIL_TS_CGROUP_PARENT).
 * Without either (a normal user running the suite by hand), only 'strict' and
 * 'best-effort' are tested, which is what such a user gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConfigError, Container, ContainerError, type ContainerConfig } from '../../dist/index.js';
import { freezeAndKill, parseProcs } from '../../dist/cgroups/v1.js';
import { dirOf, parseProcCgroup, v1Of, type Hierarchy } from '../../dist/cgroups/detect.js';
import { removeCgroupDir } from '../../dist/cgroups/cleanup.js';
import { eventually, hostHierarchies, isRoot, nsjailCgroupsOf, pidsInNamespaceOf, processExists } from '../support/host.js';
import { nodeScript } from '../support/node-script.js';
// The library's own instance of the module (the one dist/index.js requires), not a copy
// of vitest's: it holds the spares.
const { spareDirs } = createRequire(import.meta.url)('../../dist/cgroups/spare.js') as typeof import('../../dist/cgroups/spare.js');
const { sweepsDone } = createRequire(import.meta.url)('../../dist/cgroups/cleanup.js') as typeof import('../../dist/cgroups/cleanup.js');

const MiB = 1 << 20;
const delegated = process.env.NSJAIL_TS_CGROUP_PARENT;
const withCgroups = isRoot || delegated !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (d: string) => fs.existsSync(d);

const run = (args: string[], limits: ContainerConfig['limits'], extra: Partial<ContainerConfig> = {}) => Container.run({ args, limits: { wallTimeMs: 20_000, ...limits }, ...extra });
const py = (script: string, limits: ContainerConfig['limits'], extra: Partial<ContainerConfig> = {}) => run(['python3', '-c', script], limits, extra);

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

if (!withCgroups) console.log('limits: not root and no delegated cgroup (NSJAIL_TS_CGROUP_PARENT): the cgroup tests are skipped (npm test delegates one)');
describe.skipIf(!withCgroups)(isRoot ? "cgroups under root's own" : 'cgroups delegated to a normal user', () => {
  it("every process of the container, exec'd ones too, is in its cgroups from the start; its cgroup namespace is rooted there; destroy() removes them", async () => {
    const c = await Container.create({ args: ['sleep', '30'], limits: { memoryBytes: 256 * MiB, pids: 64, cpus: 1, wallTimeMs: 20_000 } });
    let dirs: string[] = [];
    try {
      // Stage 2 was cloned by stage 1, which stage 0 cloned into the cgroups: already inside.
      dirs = nsjailCgroupsOf(c.pid);
      const hierarchies = hostHierarchies();
      // A v2 cgroup, and one in each v1 hierarchy holding a limited controller.
      const used = new Set([hierarchies.v2, ...['memory', 'pids', 'cpu'].map((ctl) => v1Of(hierarchies, ctl))].filter((h) => h));
      expect(used.size).toBeGreaterThan(0);
      expect(dirs.length).toBe(used.size);
      expect(dirs.every(exists)).toBe(true);
      const p = c.start();
      const q = await c.exec(['sleep', '30']);
      expect(nsjailCgroupsOf(p.pid)).toEqual(dirs);
      expect(nsjailCgroupsOf(q.pid)).toEqual(dirs);
      // Inside, each of them is the root of the container's view.
      const inside = (await (await c.exec(['cat', '/proc/self/cgroup'])).output()).stdout.toString();
      const lines = parseProcCgroup(inside);
      expect(lines.find((l) => l.id === 0)?.path).toBe('/');
      for (const ctl of ['memory', 'pids']) if (v1Of(hierarchies, ctl)) expect(lines.find((l) => l.controllers.includes(ctl))?.path).toBe('/');
    } finally {
      await c.destroy();
    }
    expect(dirs.filter(exists)).toEqual([]);
  });

  it('a memory hog is OOM-killed at the limit: oomKilled, reason oom, its peak near the limit', async () => {
    const r = await py('b = []\nwhile True: b.append(bytearray(1 << 20))', { memoryBytes: 64 * MiB });
    expect(r).toMatchObject({ reason: 'oom', oomKilled: true, timedOut: false, exitCode: null, signal: 'SIGKILL' });
    expect(r.stats.memoryPeakBytes).toBeGreaterThan(48 * MiB);
    expect(r.stats.memoryPeakBytes).toBeLessThanOrEqual(65 * MiB);
    console.log(`memory hog: killed at a peak of ${(r.stats.memoryPeakBytes! / MiB).toFixed(1)} MiB (limit 64 MiB) after ${r.stats.wallMs.toFixed(0)} ms`);
  });

  it('pids holds: a program that forks until refused gets no more than the limit', async () => {
    const script = 'import os, time\nn = 0\ntry:\n  while True:\n    if os.fork() == 0:\n      time.sleep(30); os._exit(0)\n    n += 1\nexcept OSError as e:\n  print(n, e.errno)';
    const r = await py(script, { pids: 32 });
    const [forked, errno] = r.stdout.toString().trim().split(' ').map(Number);
    expect(errno).toBe(11); // EAGAIN
    // The reaper and the main process count too.
    expect(forked).toBeLessThanOrEqual(30);
    expect(forked).toBeGreaterThan(20);
    expect(r.stats.pidsPeak).toBe(32);
  });

  it('a fork bomb under pids: 32 is held, the caller stays responsive, the wall-time limit ends it', async () => {
    const lag = monitorEventLoopDelay({ resolution: 5 });
    const wallTimeMs = 2000;
    const t0 = performance.now();
    lag.enable();
    const r = await run(['bash', '-c', 'f() { f | f & }; f; exec sleep 60'], { pids: 32, wallTimeMs });
    lag.disable();
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ reason: 'timeout', timedOut: true, signal: 'SIGKILL' });
    expect(r.stats.pidsPeak).toBeLessThanOrEqual(32);
    // Reported, not asserted: timing belongs to the benchmarks.
    console.log(
      `fork bomb under pids 32: run() returned ${(elapsed - wallTimeMs).toFixed(0)} ms after its ${wallTimeMs} ms wall-time limit; ` +
        `event-loop lag meanwhile: p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`,
    );
    expect(elapsed).toBeLessThan(wallTimeMs + 10_000);
  });

  it("kill() reaches a fork bomb held at its pids limit, with init: false too (its helper is not in the container's cgroups)", async () => {
    // Every process forks again and again (bash would not do: it blocks SIGTERM while it retries a fork).
    const bomb = 'import os, time\nwhile True:\n  try: os.fork()\n  except OSError: time.sleep(0.01)';
    const c = await Container.create({ args: ['python3', '-c', bomb], init: false, limits: { pids: 16, wallTimeMs: 20_000 } });
    try {
      c.start();
      expect(await eventually(async () => (await c.stats()).pids === 16, 5000, 20)).toBe(true);
      // PID 1 (without a handler) ignores it; everything else dies of it (and stays a zombie,
      // counted by pids.current: this PID 1 reaps nobody).
      c.kill('SIGTERM');
      expect(await eventually(() => pidsInNamespaceOf(c.pid).filter(processExists).length === 1, 5000)).toBe(true);
    } finally {
      await c.destroy();
    }
  });

  it('cpus: 0.5 holds a busy loop near half a core (its cgroup CPU usage over 2 s)', async () => {
    const c = await Container.create({ args: ['sh', '-c', 'while :; do :; done'], limits: { cpus: 0.5, wallTimeMs: 20_000 } });
    try {
      c.start();
      await sleep(300);
      const a = await c.stats();
      await sleep(2000);
      const b = await c.stats();
      const cores = (b.cpuUserMs + b.cpuSystemMs - (a.cpuUserMs + a.cpuSystemMs)) / (b.wallMs - a.wallMs);
      console.log(`cpus 0.5: a busy loop used ${cores.toFixed(3)} cores over ${((b.wallMs - a.wallMs) / 1000).toFixed(1)} s`);
      // A quota's meaning, not a timing threshold of ours.
      expect(cores).toBeGreaterThan(0.3);
      expect(cores).toBeLessThan(0.7);
    } finally {
      await c.destroy();
    }
  });

  it('cpuTimeMs ends a busy loop, and two busy processes sharing the budget', async () => {
    for (const script of ['while :; do :; done', '(while :; do :; done) & while :; do :; done']) {
      const r = await run(['sh', '-c', script], { cpuTimeMs: 400 });
      expect(r).toMatchObject({ reason: 'cpu-time', timedOut: false, signal: 'SIGKILL' });
      const cpu = r.stats.cpuUserMs + r.stats.cpuSystemMs;
      expect(cpu).toBeGreaterThanOrEqual(400);
      expect(cpu).toBeLessThan(800);
    }
  });

  it("kill('SIGKILL') ends every process at once, exec'd ones too", async () => {
    const c = await Container.create({ args: ['sleep', '30'], limits: { pids: 64, wallTimeMs: 20_000 } });
    try {
      const p = c.start();
      const q = await c.exec(['sleep', '30']);
      c.kill('SIGKILL');
      expect(await p.wait()).toMatchObject({ signal: 'SIGKILL', reason: 'signal' });
      expect(await q.wait()).toMatchObject({ signal: 'SIGKILL' });
    } finally {
      await c.destroy();
    }
  });

  it('stats are plausible, while it runs and at the end', async () => {
    const script = 'import time\nb = bytearray(48 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\ntime.sleep(0.3)';
    const c = await Container.create({ args: ['python3', '-c', script], limits: { memoryBytes: 256 * MiB, pids: 16, wallTimeMs: 20_000 } });
    try {
      const p = c.start();
      await sleep(150);
      const live = await c.stats();
      expect(live.wallMs).toBeGreaterThan(100);
      expect(live.pids).toBeGreaterThanOrEqual(2);
      expect(live.memoryBytes).toBeGreaterThan(0);
      const s = await p.wait();
      expect(s.reason).toBe('exit');
      expect(s.stats.wallMs).toBeGreaterThan(550);
      expect(s.stats.cpuUserMs + s.stats.cpuSystemMs).toBeGreaterThan(300);
      expect(s.stats.cpuUserMs + s.stats.cpuSystemMs).toBeLessThan(s.stats.wallMs);
      expect(s.stats.memoryPeakBytes).toBeGreaterThan(48 * MiB);
      expect(s.stats.memoryPeakBytes).toBeLessThan(256 * MiB);
      expect(s.stats.pidsPeak).toBeGreaterThanOrEqual(2);
      expect(s.stats.pidsPeak).toBeLessThanOrEqual(16);
      expect(s.unenforcedLimits).toEqual([]);
    } finally {
      await c.destroy();
    }
  });

  it('the cgroups of an owner that was SIGKILLed are removed by the next start', async () => {
    const dist = path.resolve(__dirname, '../../dist/index.js');
    const code = `const { Container } = require(${JSON.stringify(dist)});
      Container.create({ args: ['sleep', '60'], limits: { pids: 64, memoryBytes: 64 << 20, wallTimeMs: 60000 } }).then((c) => { c.start(); console.log(c.pid); });`;
    const { child: owner, output } = nodeScript(code);
    expect(await eventually(() => output().includes('\n'), 10_000)).toBe(true);
    const pid = Number(output());
    const dirs = nsjailCgroupsOf(pid);
    expect(dirs.length).toBeGreaterThan(0);
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    // Its containers die with it (parent-death signal); their cgroups stay.
    expect(await eventually(() => !processExists(pid), 5000)).toBe(true);
    expect(dirs.every(exists)).toBe(true);
    // So do the cgroups it had made ahead for its next start (src-ts/cgroups/spare.ts).
    const ownersAll = () => dirs.flatMap((d) => fs.readdirSync(path.dirname(d)).filter((n) => new RegExp(`^nsjail-ts-\\d+-${owner.pid}-`).test(n)));
    expect(ownersAll().length).toBeGreaterThan(dirs.length);
    await sleep(1100); // a parent is swept at most once a second
    await run(['/bin/true'], { pids: 64, memoryBytes: 64 * MiB });
    expect(await eventually(() => !dirs.some(exists) && ownersAll().length === 0, 5000)).toBe(true);
  });

  it('cgroups of a live owner, and anything not named as ours, are never touched', async () => {
    const c = await Container.create({ args: ['sleep', '30'], limits: { pids: 64, wallTimeMs: 20_000 } });
    try {
      const [dir] = nsjailCgroupsOf(c.pid);
      const foreign = path.join(path.dirname(dir), `nsjail-ts-not-ours-${process.pid}`);
      fs.mkdirSync(foreign);
      try {
        await sleep(1100);
        await run(['/bin/true'], { pids: 64 });
        // The sweep runs in the background, from the cgroups made for the next start.
        await spareDirs();
        await sweepsDone();
        expect(exists(dir)).toBe(true);
        expect(exists(foreign)).toBe(true);
      } finally {
        fs.rmdirSync(foreign);
      }
    } finally {
      await c.destroy();
    }
  });

  it('cgroups are made one start ahead: the next container with the same limits is put in them, with its limits', async () => {
    const limits = { pids: 16, cpuTimeMs: 5000, wallTimeMs: 20_000 };
    const others = await spareDirs(); // other tests' limits
    await run(['/bin/true'], limits);
    const spare = (await spareDirs()).filter((d) => !others.includes(d)).sort();
    expect(spare.length).toBeGreaterThan(0);
    expect(spare.every(exists)).toBe(true);
    // Empty: nothing runs in a spare.
    for (const d of spare) expect(fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8')).toBe('');
    const c = await Container.create({ args: ['sleep', '30'], limits });
    try {
      expect(nsjailCgroupsOf(c.pid)).toEqual(spare);
      const pidsDir = spare.find((d) => fs.existsSync(path.join(d, 'pids.max')));
      expect(pidsDir).toBeDefined();
      expect(fs.readFileSync(path.join(pidsDir!, 'pids.max'), 'utf8').trim()).toBe('16');
      // The next one is made already, elsewhere.
      const next = (await spareDirs()).filter((d) => !others.includes(d));
      expect(next.length).toBe(spare.length);
      expect(next.some((d) => spare.includes(d))).toBe(false);
    } finally {
      await c.destroy();
    }
    expect(spare.filter(exists)).toEqual([]);
    // The next run takes the spare made meanwhile, and the limit holds in it.
    const script = 'import os, time\nn = 0\ntry:\n  while True:\n    if os.fork() == 0:\n      time.sleep(30); os._exit(0)\n    n += 1\nexcept OSError as e:\n  print(n, e.errno)';
    const r = await py(script, limits);
    const [forked, errno] = r.stdout.toString().trim().split(' ').map(Number);
    expect(errno).toBe(11); // EAGAIN
    expect(forked).toBeLessThan(16);
  });

  it('other limits get spares of their own, four at most; the rest are removed', async () => {
    const before = await spareDirs();
    for (let i = 1; i <= 6; i++) await run(['/bin/true'], { cpuTimeMs: 7000 + i });
    const kept = await spareDirs();
    const made = kept.filter((d) => !before.includes(d));
    expect(made.length).toBeGreaterThan(0);
    // Each spare of these is one cgroup per hierarchy it needs (v2 here, for cpuTimeMs).
    const perSpare = made.length / new Set(made.map((d) => path.basename(d))).size;
    expect(kept.length / perSpare).toBeLessThanOrEqual(4);
    // The evicted ones go (in the background).
    const parents = [...new Set(made.map((d) => path.dirname(d)))];
    const ours = () => parents.flatMap((p) => fs.readdirSync(p).filter((n) => new RegExp(`^nsjail-ts-\\d+-${process.pid}-`).test(n)).map((n) => path.join(p, n)));
    expect(await eventually(() => ours().every((d) => kept.includes(d)), 3000)).toBe(true);
  });

  /** A Node process that runs one container with limits and prints its spares' directories. */
  async function sparesOfAnotherNode(env: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const dist = path.resolve(__dirname, '../../dist');
    const code = `const { Container } = require(${JSON.stringify(dist + '/index.js')});
      const { spareDirs } = require(${JSON.stringify(dist + '/cgroups/spare.js')});
      Container.run({ args: ['/bin/true'], limits: { pids: 32, memoryBytes: 64 << 20, wallTimeMs: 20000 } })
        .then(() => new Promise((r) => setTimeout(r, 50))).then(() => spareDirs()).then((d) => console.log(JSON.stringify(d)));`;
    const owner = nodeScript(code, env);
    expect(await owner.exited).toBe(0);
    return JSON.parse(owner.output());
  }

  it('spares are removed when Node exits', async () => {
    const dirs = await sparesOfAnotherNode();
    expect(dirs.length).toBeGreaterThan(0);
    expect(dirs.filter(exists)).toEqual([]);
  });

  it('NSJAIL_TS_SPARE_CGROUPS=0: none are made', async () => {
    expect(await sparesOfAnotherNode({ NSJAIL_TS_SPARE_CGROUPS: '0' })).toEqual([]);
  });

  it('cpuTimeMs with best-effort holds too where it can (nothing unenforced here)', async () => {
    const r = await run(['sh', '-c', 'while :; do :; done'], { cpuTimeMs: 200, enforce: 'best-effort' });
    expect(r).toMatchObject({ reason: 'cpu-time', unenforcedLimits: [] });
  });
});

/** A cgroup of ours in the hierarchy `h`, as root or delegated. */
function parentIn(h: Hierarchy | undefined): string | undefined {
  if (!h) return undefined;
  if (delegated) return delegated.split(',').find((d) => d.startsWith(`${h.mount}/`));
  return isRoot && h.caller ? dirOf(h, h.caller) : undefined;
}
/** A freezer cgroup of ours, for the fallback where v2 has no cgroup.kill. */
const freezerParent = () => parentIn(v1Of(hostHierarchies(), 'freezer'));
const v2Parent = () => parentIn(hostHierarchies().v2);

/**
 * A cgroup of ours under `parent` holding a shell that moved itself in and keeps forking
 * (sleep 0.01) beside a sleeper; `procs()` lists what it holds; `remove()` ends whatever
 * a failure left inside, so that the directory can go.
 */
function busyCgroup(parent: string, name: string) {
  const dir = path.join(parent, `nsjail-ts-${name}-${process.pid}`);
  fs.mkdirSync(dir);
  const child = spawn('sh', ['-c', `echo 0 > ${dir}/cgroup.procs && exec sh -c '(while :; do sleep 0.01; done) & sleep 60 & wait'`], { stdio: 'ignore' });
  const procs = () => parseProcs(fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8'));
  const killed = () => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.signalCode) : child.once('exit', () => r(child.signalCode))));
  const remove = async () => {
    if (!exists(dir)) return;
    for (const pid of procs()) process.kill(pid, 'SIGKILL');
    await eventually(() => {
      try {
        fs.rmdirSync(dir);
        return true;
      } catch {
        return false;
      }
    }, 2000);
  };
  return { dir, procs, killed, remove };
}

if (!v2Parent()) console.log('limits: no cgroup v2 of ours here: the removal of a busy v2 cgroup is not tested');
describe.skipIf(!v2Parent())('removing a cgroup v2 that still holds processes', () => {
  it('ends them (cgroup.kill, write-only: never read) and removes the directory', async () => {
    const busy = busyCgroup(v2Parent()!, 'busy-test');
    try {
      expect(await eventually(() => busy.procs().length >= 3, 5000)).toBe(true);
      expect(await removeCgroupDir(busy.dir, 2)).toBe(true);
      expect(exists(busy.dir)).toBe(false);
      expect(await busy.killed()).toBe('SIGKILL');
    } finally {
      await busy.remove();
    }
  });
});

if (!freezerParent()) console.log('limits: no v1 freezer hierarchy of ours here: the freezer test is skipped');
describe.skipIf(!freezerParent())('the v1 freezer, where there is no cgroup.kill', () => {
  it('ends every process of a cgroup, those forking included', async () => {
    const busy = busyCgroup(freezerParent()!, 'freezer-test');
    try {
      expect(await eventually(() => busy.procs().length >= 3, 5000)).toBe(true);
      await freezeAndKill(busy.dir);
      expect(await eventually(() => busy.procs().length === 0, 5000)).toBe(true);
      expect(await busy.killed()).toBe('SIGKILL');
    } finally {
      await busy.remove();
    }
  });
});

describe('without cgroups', () => {
  it('maxBuffer ends a program that floods stdout: the output so far, reason output', async () => {
    const r = await Container.run({ args: ['yes'], limits: { wallTimeMs: 20_000 } }, { maxBuffer: 64 * 1024 });
    expect(r).toMatchObject({ reason: 'output', signal: 'SIGKILL', timedOut: false });
    expect(r.stdout.length).toBe(64 * 1024);
    expect(r.stdout.subarray(0, 4).toString()).toBe('y\ny\n');
  });

  it('Container.run keeps 16 MiB of a stream by default; a program that ended before it was read still says its output was cut', async () => {
    const big = await Container.run({ args: ['head', '-c', String(17 * MiB), '/dev/zero'], limits: { wallTimeMs: 20_000 } });
    expect(big.reason).toBe('output');
    expect(big.stdout.length).toBe(16 * MiB);
    const small = await Container.run({ args: ['head', '-c', '5000', '/dev/zero'], limits: { wallTimeMs: 20_000 } }, { maxBuffer: 1000 });
    expect(small.reason).toBe('output');
    expect(small.stdout.length).toBe(1000);
    const errs = await Container.run({ args: ['sh', '-c', 'head -c 5000 /dev/zero >&2; sleep 10'], limits: { wallTimeMs: 20_000 } }, { maxBuffer: 1000 });
    expect(errs).toMatchObject({ reason: 'output', signal: 'SIGKILL' });
    expect([errs.stdout.length, errs.stderr.length]).toEqual([0, 1000]);
    const fits = await Container.run({ args: ['head', '-c', '1000', '/dev/zero'] }, { maxBuffer: 1000 });
    expect(fits).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  it('maxBuffer must be a positive integer or Infinity', async () => {
    for (const maxBuffer of [0, -1, 1.5, '10'])
      await expect(Container.run({ args: ['/bin/true'] }, { maxBuffer: maxBuffer as number })).rejects.toMatchObject({ name: 'ConfigError', field: 'options.maxBuffer' });
    expect((await Container.run({ args: ['/bin/true'] }, { maxBuffer: Infinity })).exitCode).toBe(0);
  });

  it("CPU time and peak RSS still come back: from the reaper (init: true), from waitid (init: false), for an exec'd process", async () => {
    const busy = 'import time\nb = bytearray(24 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nt = time.process_time()\nwhile time.process_time() - t < 0.2: pass';
    for (const init of [true, false]) {
      const r = await Container.run({ args: ['python3', '-c', busy], init, limits: { wallTimeMs: 20_000 } });
      expect(r.reason).toBe('exit');
      expect(r.stats.cpuUserMs + r.stats.cpuSystemMs).toBeGreaterThan(150);
      expect(r.stats.memoryPeakBytes).toBeGreaterThan(24 * MiB);
      expect(r.stats.pidsPeak).toBeUndefined();
    }
    const c = await Container.create({ args: ['sleep', '30'], limits: { wallTimeMs: 20_000 } });
    try {
      c.start();
      const q = await (await c.exec(['python3', '-c', busy])).wait();
      expect(q.stats.cpuUserMs + q.stats.cpuSystemMs).toBeGreaterThan(150);
      const live = await c.stats();
      expect(live.wallMs).toBeGreaterThan(0);
    } finally {
      await c.destroy();
    }
  });

  it('a parent that is not a cgroup directory is a ConfigError naming the field', async () => {
    await expect(Container.run({ args: ['/bin/true'], limits: { pids: 16, cgroupParent: '/tmp' } })).rejects.toMatchObject({ name: 'ConfigError', field: 'limits.cgroupParent' });
    await expect(Container.run({ args: ['/bin/true'], limits: { pids: 16, cgroupParent: '/sys/fs/cgroup/no-such-cgroup' } })).rejects.toThrow(ConfigError);
  });
});

/** Runs `fn` as a user without a delegated cgroup (NSJAIL_TS_CGROUP_PARENT unset). */
async function undelegated<T>(fn: () => Promise<T>): Promise<T> {
  delete process.env.NSJAIL_TS_CGROUP_PARENT;
  try {
    return await fn();
  } finally {
    if (delegated !== undefined) process.env.NSJAIL_TS_CGROUP_PARENT = delegated;
  }
}

// Root may write every cgroup: only a normal user meets these (registered only for that role).
if (!isRoot) {
  describe('a normal user without a delegated cgroup', () => {
    afterAll(() => {
      if (delegated !== undefined) process.env.NSJAIL_TS_CGROUP_PARENT = delegated;
    });

    it("'strict' (the default with limits) refuses with the path, the errno and the command that fixes it", async () => {
      const e = await undelegated(() => Container.run({ args: ['/bin/true'], limits: { memoryBytes: 64 * MiB, pids: 16 } }).catch((x) => x));
      expect(e).toBeInstanceOf(ContainerError);
      expect(e.code).toMatch(/^(EACCES|EPERM|EROFS|ERR_CONTAINER_CGROUP)$/);
      expect(e.path).toMatch(/^\/sys\/fs\/cgroup\//);
      expect(e.message).toContain('limits.memoryBytes');
      expect(e.message).toContain('limits.pids');
      if (e.code === 'EACCES') expect(e.hint).toMatch(/^Fix: as root: mkdir -p .* && chown \d+:\d+ .*NSJAIL_TS_CGROUP_PARENT=\/sys\/fs\/cgroup\//);
    });

    it("'best-effort' runs with rlimits, wall time and output caps, and names the limits it could not enforce", async () => {
      const limits = { memoryBytes: 64 * MiB, pids: 16, cpus: 0.5, cpuTimeMs: 5000, enforce: 'best-effort' as const, rlimits: { nofile: 64 } };
      const r = await undelegated(() => Container.run({ args: ['sh', '-c', 'ulimit -n; exec sleep 10'], limits: { ...limits, wallTimeMs: 300 } }));
      expect(r).toMatchObject({ reason: 'timeout', timedOut: true });
      expect(r.stdout.toString()).toBe('64\n');
      expect(r.unenforcedLimits).toEqual(expect.arrayContaining(['memoryBytes', 'pids', 'cpus']));
      const flood = await undelegated(() => Container.run({ args: ['yes'], limits: { ...limits, wallTimeMs: 20_000 } }, { maxBuffer: 4096 }));
      expect(flood).toMatchObject({ reason: 'output' });
      expect(flood.stdout.length).toBe(4096);
    });
  });
}
