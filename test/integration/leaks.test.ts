/** Nothing is left behind in the caller: no process, fd, mount or temp file, after success or failure. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Container } from '../../dist/index.js';
import { eventually, leaks, snapshot } from '../support/host.js';

// What the library could leave in /tmp (it makes none: bootstrap and init binary are
// memfds). Other test files running in parallel make their own nsjail-ts-bind-* fixtures.
function tmpEntries(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => /nsjail|memfd/.test(n) && !n.startsWith('nsjail-ts-bind-') && !n.startsWith('nsjail-ts-test-'));
}

beforeAll(async () => {
  // The reactor (one epoll, one eventfd per process) exists from here on.
  await Container.run({ args: ['/bin/true'] });
});

describe('nothing left behind', () => {
  it('after successful runs', async () => {
    const before = snapshot();
    const tmp = tmpEntries();
    for (let i = 0; i < 10; i++) await Container.run({ args: ['/bin/sh', '-c', 'echo hi; sleep 0.01 & exit 0'] });
    expect(await leaks(before)).toEqual([]);
    expect(tmpEntries()).toEqual(tmp);
  });

  it('after failures at every stage', async () => {
    const before = snapshot();
    const attempts = [
      { args: ['no-such-program'] },
      { args: ['/bin/true'], cwd: '/nope' },
      { args: ['/bin/true'], namespaces: ['user', 'mount', { type: 'net' as const, path: '/proc/999999999/ns/net' }] },
      { args: ['/bin/true'], mounts: [{ type: 'bind' as const, source: '/nope', target: '/tmp/x' }] },
      { args: ['/bin/true'], hostname: 'x', namespaces: ['user'] as const },
    ];
    for (const config of attempts) await expect(Container.run(config as never)).rejects.toThrow();
    expect(await leaks(before)).toEqual([]);
  });

  it('after create + destroy without start, and after kill', async () => {
    const before = snapshot();
    const a = await Container.create({ args: ['/bin/sleep', '60'] });
    await a.destroy();
    const b = await Container.create({ args: ['/bin/sleep', '60'] });
    const p = b.start();
    b.kill('SIGKILL');
    await p.wait();
    await b.destroy();
    const c = await Container.create({ args: ['/bin/sleep', '60'], init: false, stdio: ['pipe', 'pipe', 'ignore'] });
    c.start();
    await c.destroy();
    expect(await leaks(before)).toEqual([]);
  });

  it('after many containers at once', async () => {
    const before = snapshot();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => Container.run({ args: ['/bin/echo', String(i)] })));
    expect(results.map((r) => Number(r.stdout.toString()))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(await leaks(before)).toEqual([]);
  });

  it('background processes do not outlive the container', async () => {
    // Arguments no other process on the machine has (other test files run sleeps too).
    const a = 7_000_000 + process.pid * 2;
    const b = a + 1;
    const mine = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return new RegExp(`^sleep (${a}|${b})$`).test(fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
          } catch {
            return false;
          }
        });
    const c = await Container.create({ args: ['/bin/sh', '-c', `(sleep ${a} &) ; setsid sleep ${b} & read x; echo done`] });
    try {
      const p = c.start();
      // Both are running, seen from the host.
      expect(await eventually(() => mine().length === 2, 5000)).toBe(true);
      p.stdin!.end('go\n');
      // The main process has ended and its output with it: stdout ends only once every
      // process holding it (both sleeps too) is gone.
      const r = await p.output();
      expect(r).toMatchObject({ exitCode: 0 });
      expect(r.stdout.toString()).toBe('done\n');
      expect(mine()).toEqual([]);
    } finally {
      await c.destroy();
    }
  });
});
