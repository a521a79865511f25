/** A bare { args } runs in a fully isolated sandbox, as root and as a normal user. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Container } from '../../dist/index.js';
import { isRoot } from '../support/host.js';

const sh = (script: string, extra: object = {}) => Container.run({ args: ['/bin/sh', '-c', script], ...extra });
const text = (b: Buffer) => b.toString('utf8');

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

describe('the quick start', () => {
  it('id; hostname; ps: root, its own hostname, only its own processes', async () => {
    const r = await sh('id; hostname; ps -e -o pid=,comm=');
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeNull();
    const lines = text(r.stdout).trim().split('\n');
    expect(lines[0]).toMatch(/^uid=0\(root\) gid=0\(root\)/);
    expect(lines[1]).toBe('sandbox');
    const procs = lines.slice(2).map((l) => l.trim().split(/\s+/));
    expect(procs.map((p) => p[1])).toEqual(['nsj:[2:INIT]', 'sh', 'ps']);
    expect(procs[0][0]).toBe('1');
    expect(r.stderr.length).toBe(0);
    expect(r.durationMs).toBeGreaterThan(0);
  });
});

describe('exit status', () => {
  it.each([0, 1, 42, 255])('exit %i', async (code) => {
    const r = await sh(`exit ${code}`);
    expect(r.exitCode).toBe(code);
    expect(r.signal).toBeNull();
    expect(r.timedOut).toBe(false);
    expect(r.oomKilled).toBe(false);
  });

  it.each([
    ['SIGTERM', 15],
    ['SIGKILL', 9],
    ['SIGSEGV', 11],
  ])('killed by %s', async (name, n) => {
    const r = await sh(`kill -${n} $$`);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe(name);
  });

  it('reports the same without init (the main process is PID 1)', async () => {
    const r = await sh('echo $$; exit 7', { init: false });
    expect(text(r.stdout).trim()).toBe('1');
    expect(r.exitCode).toBe(7);
  });
});

describe('stdio', () => {
  it('separates stdout and stderr', async () => {
    const r = await sh('echo out; echo err >&2; echo out2');
    expect(text(r.stdout)).toBe('out\nout2\n');
    expect(text(r.stderr)).toBe('err\n');
  });

  it('feeds stdin', async () => {
    const r = await Container.run({ args: ['/bin/cat'] }, { input: 'hello\nworld\n' });
    expect(text(r.stdout)).toBe('hello\nworld\n');
  });

  it('streams a large output intact', async () => {
    const r = await sh('head -c 5000000 /dev/zero | tr "\\0" a');
    expect(r.stdout.length).toBe(5_000_000);
    expect(r.stdout.every((b) => b === 0x61)).toBe(true);
  });

  it('streams a large input intact', async () => {
    const input = Buffer.alloc(3_000_000, 'b');
    const r = await Container.run({ args: ['/bin/sh', '-c', 'wc -c'] }, { input });
    expect(text(r.stdout).trim()).toBe('3000000');
  });

  it("'ignore' gives /dev/null", async () => {
    const r = await sh('readlink /proc/self/fd/0 /proc/self/fd/2; echo gone >&2', { stdio: ['ignore', 'pipe', 'ignore'] });
    expect(text(r.stdout)).toBe('/dev/null\n/dev/null\n');
    expect(r.stderr.length).toBe(0);
  });

  it('the main process has only fds 0, 1 and 2 open', async () => {
    const r = await sh('ls /proc/self/fd');
    // ls itself opens one fd for the directory.
    expect(text(r.stdout).trim().split('\n').map(Number).sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('scheduling', () => {
  // /proc/<pid>/stat field 41: the scheduling policy (0 SCHED_OTHER, 3 SCHED_BATCH).
  const policyOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);

  it('setup runs as SCHED_BATCH (it yields to the caller), the program as SCHED_OTHER, with init or without, and exec too', async () => {
    for (const init of [true, false]) {
      const r = await Container.run({ args: ['/bin/cat', '/proc/self/stat'], init });
      expect(policyOf(text(r.stdout)), `init: ${init}`).toBe(0);
    }
    const c = await Container.create({ args: ['/bin/sleep', '30'] });
    try {
      // The reaper (stage 2) is still setup's: batch.
      expect(policyOf(fs.readFileSync(`/proc/${c.pid}/stat`, 'utf8'))).toBe(3);
      c.start();
      const p = await c.exec(['/bin/cat', '/proc/self/stat']);
      expect(policyOf(text((await p.output()).stdout))).toBe(0);
    } finally {
      await c.destroy();
    }
  });
});

describe('environment and working directory', () => {
  it('a minimal environment, not the host one', async () => {
    process.env.NSJAIL_TS_SHOULD_NOT_LEAK = 'secret';
    const r = await Container.run({ args: ['/usr/bin/env'] });
    const env = text(r.stdout).trim().split('\n').sort();
    expect(env).toEqual(['HOME=/root', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=dumb']);
  });

  it('env replaces it; args[0] is looked up in the container PATH', async () => {
    const r = await Container.run({ args: ['printenv', 'FOO'], env: { FOO: 'bar baz', PATH: '/usr/bin:/bin' } });
    expect(text(r.stdout)).toBe('bar baz\n');
  });

  it('cwd defaults to / and can be set', async () => {
    expect(text((await sh('pwd')).stdout)).toBe('/\n');
    expect(text((await sh('pwd', { cwd: '/usr/bin' })).stdout)).toBe('/usr/bin\n');
  });
});

describe('create / start', () => {
  it('create leaves the main process waiting; start runs it', async () => {
    const marker = `/tmp/nsjail-ts-marker-${process.pid}-${Date.now()}`;
    const dir = fs.mkdtempSync('/tmp/nsjail-ts-bind-');
    fs.chmodSync(dir, 0o777);
    const c = await Container.create({
      args: ['/bin/sh', '-c', `touch /out/${marker.split('/').pop()}; echo started`],
      mounts: [{ type: 'bind', source: dir, target: '/out' }],
    });
    try {
      expect(c.state).toBe('created');
      expect(c.pid).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(fs.readdirSync(dir)).toEqual([]);
      const p = c.start();
      expect(c.state).toBe('running');
      const out = await p.output();
      expect(text(out.stdout)).toBe('started\n');
      expect(fs.readdirSync(dir)).toHaveLength(1);
      expect(await c.wait()).toMatchObject({ exitCode: 0, signal: null });
      expect(c.state).toBe('stopped');
    } finally {
      await c.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('destroy before start kills the waiting container; destroy is idempotent', async () => {
    const c = await Container.create({ args: ['/bin/sleep', '100'] });
    const pid = c.pid;
    await c.destroy();
    await c.destroy();
    expect(c.state).toBe('stopped');
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(() => c.start()).toThrow(/stopped/);
  });

  it('await using destroys the container', async () => {
    let pid = 0;
    {
      await using c = await Container.create({ args: ['/bin/sleep', '100'] });
      pid = c.pid;
      c.start();
    }
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('kill stops a running container; wait reports the signal', async () => {
    const c = await Container.create({ args: ['/bin/sleep', '100'] });
    const p = c.start();
    c.kill('SIGKILL');
    expect(await p.wait()).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    await c.destroy();
  });

  it('Process.kill delivers a signal to the main process through the init', async () => {
    const c = await Container.create({ args: ['/bin/sh', '-c', 'trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.05; done'] });
    const p = c.start();
    await new Promise<void>((resolve) => p.stdout!.once('data', () => resolve()));
    expect(p.kill('SIGTERM')).toBe(true);
    const r = await p.output();
    expect(r.exitCode).toBe(3);
    expect(text(r.stdout)).toContain('got TERM');
    await c.destroy();
  });

  it('namespaces lists every namespace with its /proc path', async () => {
    await using c = await Container.create({ args: ['/bin/true'] });
    const ns = c.namespaces;
    expect(ns.pathOf('net')).toBe(`/proc/${c.pid}/ns/net`);
    expect(ns.pathOf('mount')).toBe(`/proc/${c.pid}/ns/mnt`);
    if (isRoot) expect(fs.readlinkSync(ns.pathOf('net')!)).not.toBe(fs.readlinkSync('/proc/self/ns/net'));
    // Rootless, the kernel keeps even the owner out of the init (not dumpable, its memory
    // belongs to the host's user namespace: nothing inside can ptrace it either); nsjail-ts
    // joins these paths through namespace fds it holds (see lifecycle.test.ts).
    else expect(() => fs.readlinkSync(ns.pathOf('net')!)).toThrow(/EACCES|EPERM/);
  });
});
