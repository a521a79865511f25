/**
 * Container.pool: containers created ahead, handed out by pool.run with the program,
 * environment and working directory given then; each used once; nothing left behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container, ConfigError, ContainerError, type ContainerPool } from '../../dist/index.js';
import { leakChecks } from '../support/leak-checks.js';
import { childPids, eventually, processExists } from '../support/host.js';
import { nodeScript } from '../support/node-script.js';

const root = path.resolve(__dirname, '../..');
const leak = leakChecks();

describe('a pool', () => {
  let pool: ContainerPool;
  beforeAll(async () => {
    pool = await Container.pool({ env: { FROM: 'pool', PATH: '/usr/bin:/bin' }, cwd: '/tmp' }, { size: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('is full when it resolves', () => {
    expect(pool.size).toBe(2);
    expect(pool.idle).toBe(2);
  });

  it("runs the argv, env and cwd given to pool.run, or the pool's env and cwd", async () => {
    const given = await pool.run(['/bin/sh', '-c', 'printf "%s|" "$0" "$1" "$FROM" "$WHO" "$(pwd)"', 'arg with spaces', 'x'], {
      env: { WHO: 'run', PATH: '/usr/bin:/bin' },
      cwd: '/proc',
    });
    expect(given.stdout.toString()).toBe('arg with spaces|x||run|/proc|');
    const defaults = await pool.run(['sh', '-c', 'printf "%s|%s" "$FROM" "$(pwd)"']);
    expect(defaults.stdout.toString()).toBe('pool|/tmp');
    expect(defaults.exitCode).toBe(0);
    expect(defaults.reason).toBe('exit');
  });

  it('gives every run a fresh container: nothing of one run is seen by the next', async () => {
    const a = await pool.run(['/bin/sh', '-c', 'echo secret > /tmp/left; readlink /proc/self/ns/mnt']);
    const b = await pool.run(['/bin/sh', '-c', 'cat /tmp/left 2>/dev/null || echo none; readlink /proc/self/ns/mnt']);
    const mntA = a.stdout.toString().trim();
    const [left, mntB] = b.stdout.toString().trim().split('\n');
    expect(left).toBe('none');
    expect(mntB).not.toBe(mntA);
  });

  it('runs many at once, more than its size, each with its own output', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.run(['/bin/echo', `run ${i}`])));
    expect(results.map((r) => r.stdout.toString())).toEqual(Array.from({ length: 8 }, (_, i) => `run ${i}\n`));
  });

  it('refills in the background', async () => {
    await pool.run(['/bin/true']);
    expect(await eventually(() => pool.idle === pool.size, 5000)).toBe(true);
  });

  it('takes input, and reads outputs back', async () => {
    const r = await pool.run(['/bin/sh', '-c', 'cat > /tmp/out.txt; echo done'], { input: 'from stdin', outputs: ['/tmp/out.txt'] });
    expect(r.stdout.toString()).toBe('done\n');
    expect(r.files?.['/tmp/out.txt']?.toString()).toBe('from stdin');
  });

  it('a program that cannot run is a ContainerError of stage main, and the pool goes on', async () => {
    const e = await pool.run(['/no/such/program']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as ContainerError).code).toBe('ENOENT');
    expect((e as ContainerError).stage).toBe('main');
    const cwd = await pool.run(['/bin/true'], { cwd: '/no/such/dir' }).catch((x: unknown) => x);
    expect(cwd).toBeInstanceOf(ContainerError);
    expect((cwd as ContainerError).syscall).toBe('chdir');
    expect((await pool.run(['/bin/true'])).exitCode).toBe(0);
  });

  it('bad arguments are ConfigErrors naming the key', async () => {
    await expect(pool.run([])).rejects.toThrow(ConfigError);
    await expect(pool.run(['/bin/true'], { timeoutt: 1 } as never)).rejects.toThrow(/timeoutt/);
    await expect(pool.run(['/bin/true'], { env: { A: 1 } } as never)).rejects.toThrow(ConfigError);
    await expect(pool.run(['/bin/true'], { cwd: 'relative' })).rejects.toThrow(/options\.cwd/);
  });

  it("a waiting container killed from outside is replaced, and runs go on", async () => {
    expect(await eventually(() => pool.idle === pool.size, 5000)).toBe(true);
    const inits = pooledInits();
    expect(inits.length).toBeGreaterThanOrEqual(1);
    process.kill(inits[0], 'SIGKILL');
    // Replaced: as many waiting as before, none of them the dead one.
    expect(await eventually(() => {
      const now = pooledInits();
      return now.length === pool.size && !now.includes(inits[0]);
    }, 5000)).toBe(true);
    const r = await pool.run(['/bin/echo', 'still']);
    expect(r.stdout.toString()).toBe('still\n');
    expect(await eventually(() => pool.idle === pool.size, 5000)).toBe(true);
  });
});

describe('a pool with limits', () => {
  it("applies the pool's limits to every run", async () => {
    const pool = await Container.pool({ limits: { wallTimeMs: 300 } }, { size: 1 });
    try {
      const r = await pool.run(['/bin/sleep', '30']);
      expect(r.reason).toBe('timeout');
      expect(r.signal).toBe('SIGKILL');
    } finally {
      await pool.close();
    }
  });
});

describe('opening and closing', () => {
  it('refuses args in its config, a host upper layer (it would be shared), a bad size, unknown options', async () => {
    await expect(Container.pool({ args: ['/bin/true'] } as never)).rejects.toThrow(/args/);
    await expect(Container.pool({ mounts: [{ type: 'overlay', source: '/usr', target: '/usr', upperDir: '/tmp/up' }] })).rejects.toMatchObject({
      field: 'mounts[0].upperDir',
    });
    await expect(Container.pool({}, { size: 0 })).rejects.toThrow(/options\.size/);
    await expect(Container.pool({}, { size: 1, sise: 2 } as never)).rejects.toThrow(/sise/);
  });

  it('a config that cannot be set up rejects, and leaves nothing behind', async () => {
    leak.mark();
    const e = await Container.pool({ rootfs: '/no/such/rootfs' }, { size: 2 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(String(e)).toMatch(/no\/such\/rootfs/);
  });

  it('close() leaves nothing behind, waits for runs under way, and refuses runs after', async () => {
    leak.mark();
    const pool = await Container.pool({}, { size: 3 });
    const running = pool.run(['/bin/sh', '-c', 'sleep 0.2; echo late']);
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    expect((await running).stdout.toString()).toBe('late\n');
    await expect(pool.run(['/bin/true'])).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
    await pool.close(); // idempotent
  });

  it('waiting containers do not keep Node running', async () => {
    const node = nodeScript(`require(${JSON.stringify(root)}).Container.pool({}, { size: 2 }).then(() => console.log('open'))`);
    const code = await node.exited;
    expect(node.output()).toBe('open\n');
    expect(code).toBe(0);
  });

  it('close() completes in a script that has nothing else to wait for', async () => {
    const node = nodeScript(`require(${JSON.stringify(root)}).Container.pool({}, { size: 2 }).then((p) => p.close()).then(() => console.log('closed'))`);
    const code = await node.exited;
    expect(node.output()).toBe('closed\n');
    expect(code).toBe(0);
  });

  it('Node killed with a pool open takes every pooled container along', async () => {
    const { child, output } = nodeScript(`require(${JSON.stringify(root)}).Container.pool({}, { size: 3 }).then(() => { console.log('open'); setInterval(() => {}, 1000); })`);
    expect(await eventually(() => output().includes('open'), 10_000)).toBe(true);
    const inits = pooledInits(child.pid);
    expect(inits).toHaveLength(3);
    child.kill('SIGKILL');
    expect(await eventually(() => !inits.some(processExists), 2000)).toBe(true);
  });
});

/** The inits (stage 2) of the containers of `owner`: children named nsj:[2:INIT] (CLONE_PARENT makes every stage a child). */
function pooledInits(owner = process.pid): number[] {
  return childPids(owner).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('nsj:[2:INIT]') && processExists(pid);
    } catch {
      return false;
    }
  });
}
