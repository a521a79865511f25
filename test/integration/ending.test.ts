/**
 * child_process's conventions for real (README.md, "API"): `timeout` and an AbortSignal
 * end a running sandbox (the timeout with the status a wall-time limit leaves),
 * `killSignal` is what the program gets first, an abort before or during setup leaves
 * nothing behind, and `encoding` gives strings.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { AbortError, Container, type ContainerConfig, type ExitStatus } from '../../dist/index.js';
import { childPids, isRoot, leaks, sharedDir, snapshot } from '../support/host.js';
import { leakChecks } from '../support/leak-checks.js';

const { mark } = leakChecks();

/** What a status says, and which fields it has (their values vary: times). */
function fieldsOf(s: ExitStatus) {
  const { exitCode, signal, reason, timedOut, oomKilled, unenforcedLimits } = s;
  return { exitCode, signal, reason, timedOut, oomKilled, unenforcedLimits, keys: Object.keys(s).sort(), statsKeys: Object.keys(s.stats).sort() };
}

/** Without the output and its duration: an ExitStatus. */
function statusOf(r: ExitStatus & { stdout?: unknown; stderr?: unknown; durationMs?: number }): ExitStatus {
  const { stdout: _o, stderr: _e, durationMs: _d, ...status } = r;
  return status;
}

/** It ran about `ms` (a generous upper bound: a loaded machine is slow, never early). */
function ranFor(r: { durationMs: number }, ms: number): void {
  expect(r.durationMs).toBeGreaterThanOrEqual(ms - 10);
  expect(r.durationMs).toBeLessThan(ms + 5000);
}

const sh = (script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({ args: ['/bin/sh', '-c', script], ...extra });
/** Exits 3 on SIGTERM, saying so; otherwise runs until killed. */
const TRAPS_TERM = 'trap "echo got TERM; exit 3" TERM; echo up; while :; do sleep 0.05; done';
/** Time enough for sh to have set its traps, even on a loaded machine (ms). */
const TRAP_SET = 1000;
/** Ignores SIGTERM (and SIGINT). */
const IGNORES_TERM = 'trap "" TERM INT; echo up; while :; do sleep 0.05; done';

describe('timeout', () => {
  it('with killSignal SIGKILL ends a running sandbox exactly as limits.wallTimeMs does', async () => {
    mark();
    const byTimeout = await Container.run({ args: ['/bin/sleep', '30'] }, { timeout: 300, killSignal: 'SIGKILL' });
    const byWallTime = await Container.run({ args: ['/bin/sleep', '30'], limits: { wallTimeMs: 300 } });
    expect(fieldsOf(byWallTime)).toMatchObject({ exitCode: null, signal: 'SIGKILL', reason: 'timeout', timedOut: true, oomKilled: false });
    expect(fieldsOf(statusOf(byTimeout))).toEqual(fieldsOf(statusOf(byWallTime)));
    expect(Object.keys(byTimeout).sort()).toEqual(Object.keys(byWallTime).sort());
    for (const r of [byTimeout, byWallTime]) ranFor(r, 300);
  });

  it("sends SIGTERM first by default: a program that traps it ends on its own terms, and the status still says timeout", async () => {
    mark();
    const r = await Container.run(sh(TRAPS_TERM), { timeout: TRAP_SET, encoding: 'utf8' });
    expect(r.stdout).toBe('up\ngot TERM\n');
    expect(fieldsOf(r)).toMatchObject({ exitCode: 3, signal: null, reason: 'timeout', timedOut: true, oomKilled: false });
    // A program that does not trap it dies of it.
    const plain = await Container.run({ args: ['/bin/sleep', '30'] }, { timeout: 200 });
    expect(fieldsOf(plain)).toMatchObject({ exitCode: null, signal: 'SIGTERM', reason: 'timeout', timedOut: true });
  });

  it('follows with SIGKILL after forceKillAfterDelay when the program ignores killSignal', async () => {
    mark();
    const r = await Container.run(sh(IGNORES_TERM), { timeout: TRAP_SET, forceKillAfterDelay: 300, encoding: 'utf8' });
    expect(r.stdout).toBe('up\n');
    expect(fieldsOf(r)).toMatchObject({ exitCode: null, signal: 'SIGKILL', reason: 'timeout', timedOut: true });
    ranFor(r, TRAP_SET + 300);
  });

  it('holds while the JS event loop is blocked: the SIGKILL after the delay is the native timer', async () => {
    mark();
    const dir = sharedDir();
    try {
      const run = Container.run(
        sh('trap "" TERM; while :; do date +%s%N > /out/last; sleep 0.01; done', { mounts: [{ type: 'bind', source: dir.path, target: '/out' }] }),
        { timeout: 100, forceKillAfterDelay: 100 },
      );
      // Let it start, then keep JavaScript busy well past timeout + delay.
      while (!fs.existsSync(path.join(dir.path, 'last'))) await new Promise((r) => setTimeout(r, 5));
      const busyFrom = Date.now();
      while (Date.now() - busyFrom < 1500);
      const r = await run;
      expect(fieldsOf(r)).toMatchObject({ signal: 'SIGKILL', reason: 'timeout', timedOut: true });
      const lastWrite = Number(BigInt(fs.readFileSync(path.join(dir.path, 'last'), 'utf8').trim()) / 1_000_000n);
      expect(lastWrite - busyFrom).toBeLessThan(1000);
    } finally {
      dir.remove();
    }
  });

  it('never outlasts limits.wallTimeMs, and a program that ends in time is not timed out', async () => {
    mark();
    const r = await Container.run({ args: ['/bin/sleep', '30'], limits: { wallTimeMs: 300 } }, { timeout: 20_000 });
    expect(fieldsOf(r)).toMatchObject({ signal: 'SIGKILL', reason: 'timeout' });
    ranFor(r, 300);
    expect(fieldsOf(await Container.run({ args: ['/bin/true'] }, { timeout: 5000 }))).toMatchObject({ exitCode: 0, reason: 'exit', timedOut: false });
  });

  it("on exec() ends that process only, with a timeout's status; the container runs on", async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sleep', '30'] });
    try {
      c.start();
      const p = await c.exec(['/bin/sh', '-c', TRAPS_TERM], { timeout: TRAP_SET });
      const exited = new Promise<ExitStatus>((resolve) => p.on('exit', resolve));
      const out = await p.output({ encoding: 'utf8' });
      expect(out.stdout).toBe('up\ngot TERM\n');
      expect(fieldsOf(out)).toMatchObject({ exitCode: 3, reason: 'timeout', timedOut: true });
      expect(fieldsOf(await exited)).toEqual(fieldsOf(statusOf(out)));
      expect(c.state).toBe('running');
      const killed = await c.exec(['/bin/sleep', '30'], { timeout: 200, killSignal: 'SIGKILL' });
      expect(fieldsOf(await killed.wait())).toMatchObject({ exitCode: null, signal: 'SIGKILL', reason: 'timeout', timedOut: true });
      expect(c.state).toBe('running');
    } finally {
      await c.destroy();
    }
  });
});

describe('killSignal', () => {
  it('is what the program gets: SIGINT is trapped as SIGINT, SIGKILL cannot be trapped', async () => {
    mark();
    const both = 'trap "echo got INT; exit 4" INT; trap "echo got TERM; exit 3" TERM; echo up; while :; do sleep 0.05; done';
    const int = await Container.run(sh(both), { timeout: TRAP_SET, killSignal: 'SIGINT', encoding: 'utf8' });
    expect(int.stdout).toBe('up\ngot INT\n');
    expect(int).toMatchObject({ exitCode: 4, reason: 'timeout' });
    const kill = await Container.run(sh(both), { timeout: TRAP_SET, killSignal: 9, encoding: 'utf8' });
    expect(kill.stdout).toBe('up\n');
    expect(kill).toMatchObject({ exitCode: null, signal: 'SIGKILL', reason: 'timeout' });
  });
});

describe('AbortSignal', () => {
  it('ends a running run() with killSignal first, and rejects with an AbortError like child_process once nothing is left', async () => {
    mark();
    const dir = sharedDir();
    try {
      const ac = new AbortController();
      const reason = new Error('user cancelled');
      const config = sh('trap "echo TERM > /out/got; exit 0" TERM; echo up > /out/up; while :; do sleep 0.05; done', {
        mounts: [{ type: 'bind', source: dir.path, target: '/out' }],
      });
      const run = Container.run(config, { signal: ac.signal });
      // Running, and known to run() to be: an abort before run() has heard that setup is
      // done stops setup, with SIGKILL (the program may have started a moment before).
      while (!fs.existsSync(path.join(dir.path, 'up'))) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 200));
      ac.abort(reason);
      const e = await run.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AbortError);
      expect(e).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', message: 'The operation was aborted', cause: reason });
      // It got SIGTERM (the default killSignal) and could clean up.
      expect(fs.readFileSync(path.join(dir.path, 'got'), 'utf8')).toBe('TERM\n');
    } finally {
      dir.remove();
    }
  });

  it("on exec(): 'exit' still gives the whole status (the fields of a wall-time limit's), wait() and output() reject, 'error' hears it", async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sleep', '30'], limits: { wallTimeMs: 20_000 } });
    try {
      c.start();
      const ac = new AbortController();
      const p = await c.exec(['/bin/sleep', '30'], { signal: ac.signal, killSignal: 'SIGKILL' });
      const exited = new Promise<ExitStatus>((resolve) => p.on('exit', resolve));
      const heard = new Promise<Error>((resolve) => p.on('error', resolve));
      ac.abort();
      await expect(p.wait()).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      await expect(p.output()).rejects.toBeInstanceOf(AbortError);
      expect(await heard).toBeInstanceOf(AbortError);
      const status = await exited;
      const wallTime = fieldsOf(statusOf(await Container.run({ args: ['/bin/sleep', '30'], limits: { wallTimeMs: 100 } })));
      // Not a limit: reason 'signal', as for kill().
      expect(fieldsOf(status)).toEqual({ ...wallTime, reason: 'signal', timedOut: false });
      expect(c.state).toBe('running');
    } finally {
      await c.destroy();
    }
  });

  it('already aborted: create(), run() and exec() reject at once, and make nothing (no process, fd, cgroup, mount, work dir)', async () => {
    mark();
    const { config, base, remove } = heavyConfig();
    try {
      const before = childPids();
      for (const start of [() => Container.create(config, { signal: AbortSignal.abort() }), () => Container.run(config, { signal: AbortSignal.abort() })]) {
        await expect(start()).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
        expect(childPids()).toEqual(before);
      }
      expect(fs.readdirSync(base).sort()).toEqual(['src', 'upper']);
      expect(fs.readdirSync(path.join(base, 'upper'))).toEqual([]);
      const c = await Container.create({ args: ['/bin/sleep', '30'] });
      c.start();
      const running = childPids();
      await expect(c.exec(['/bin/true'], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
      expect(childPids()).toEqual(running);
      await c.destroy();
    } finally {
      remove();
    }
  });

  it('aborted during create() (right after the call, or once stage 0 runs: during setup or as it becomes ready): AbortError, and nothing is left', async () => {
    const { config, base, remove } = heavyConfig();
    try {
      for (const when of ['after the call', 'once stage 0 runs'] as const) {
        const before = snapshot();
        const ac = new AbortController();
        const created = Container.create(config, { signal: ac.signal });
        if (when === 'once stage 0 runs') while (childPids().length === before.children.length) await turn();
        ac.abort();
        const e = await created.catch((x: unknown) => x);
        expect(e, when).toBeInstanceOf(AbortError);
        expect(await leaks(before), when).toEqual([]);
        expect(fs.readdirSync(base).sort(), when).toEqual(['src', 'upper']);
      }
    } finally {
      remove();
    }
  });

  it('aborted as exec() starts: AbortError (from exec(), or if it was done already from wait()), and its processes are gone', async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sleep', '30'] });
    try {
      c.start();
      const running = childPids();
      const ac = new AbortController();
      const q = c.exec(['/bin/sleep', '30'], { signal: ac.signal });
      while (childPids().length === running.length) await turn();
      ac.abort();
      // Joining is quick: its setup may be over before the abort.
      expect(await q.then((p) => p.wait()).catch((e: unknown) => e)).toBeInstanceOf(AbortError);
      await expect.poll(() => childPids().filter((p) => !running.includes(p))).toEqual([]);
      expect(c.state).toBe('running');
    } finally {
      await c.destroy();
    }
  });

  it("guards create() only: aborted after it resolved, the container is the caller's to destroy", async () => {
    mark();
    const ac = new AbortController();
    const c = await Container.create({ args: ['/bin/echo', 'still here'] }, { signal: ac.signal });
    ac.abort();
    const out = await c.start().output({ encoding: 'utf8' });
    expect(out).toMatchObject({ stdout: 'still here\n', exitCode: 0 });
    await c.destroy();
  });
});

describe('encoding', () => {
  it("gives strings from run() and output(), Buffers by default, and leaves outputs' files as Buffers", async () => {
    mark();
    const script = 'printf "h\\303\\251llo"; printf "err" >&2; echo out > /tmp/o';
    const utf8 = await Container.run(sh(script), { encoding: 'utf8', outputs: ['/tmp/o'] });
    expect(utf8).toMatchObject({ stdout: 'héllo', stderr: 'err', exitCode: 0 });
    expect(utf8.files?.['/tmp/o']).toEqual(Buffer.from('out\n'));
    expect((await Container.run(sh(script), { encoding: 'hex' })).stderr).toBe(Buffer.from('err').toString('hex'));
    const raw = await Container.run(sh(script));
    expect(Buffer.isBuffer(raw.stdout)).toBe(true);
    expect(raw.stdout.toString('utf8')).toBe('héllo');
    expect(Buffer.isBuffer((await Container.run(sh(script), { encoding: 'buffer' })).stdout)).toBe(true);

    const c = await Container.create(sh('sleep 30'));
    try {
      c.start();
      const p = await c.exec(['/bin/sh', '-c', script]);
      // Several calls share one collection; each gets its own encoding.
      const [asText, asBytes] = await Promise.all([p.output({ encoding: 'latin1' }), p.output()]);
      expect(asText.stdout).toBe(Buffer.from('héllo').toString('latin1'));
      expect(asBytes.stdout).toEqual(Buffer.from('héllo'));
    } finally {
      await c.destroy();
    }
  });
});

/**
 * A config whose setup makes something of each kind that must not be left behind: a
 * cgroup (where this user may make one), an overlay's work dir next to its upperDir,
 * fixtures in a memfd.
 */
function heavyConfig(): { config: ContainerConfig; base: string; remove(): void } {
  const base = fs.mkdtempSync('/tmp/nsjail-ts-abort-');
  fs.chmodSync(base, 0o755);
  fs.mkdirSync(path.join(base, 'src'));
  fs.mkdirSync(path.join(base, 'upper'));
  if (isRoot) fs.chmodSync(path.join(base, 'upper'), 0o777);
  const config: ContainerConfig = {
    args: ['/bin/sleep', '30'],
    limits: { pids: 64, memoryBytes: 256 << 20, enforce: 'best-effort', wallTimeMs: 20_000 },
    mounts: [{ type: 'overlay', source: path.join(base, 'src'), target: '/work', upperDir: path.join(base, 'upper') }],
    files: { '/app/data.bin': Buffer.alloc(8 << 20, 1) },
  };
  return { config, base, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}
