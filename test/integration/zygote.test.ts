/**
 * The resident stage 0 (src-native/nsexec/zygote.cc): one per Node environment, forking
 * a stage 0 per start. It must never be a single point of failure, never be reachable
 * from a container, and never outlive Node.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Container } from '../../dist/index.js';
import { leakChecks } from '../support/leak-checks.js';
import { eventually, isChild, processExists, zygotePids } from '../support/host.js';
import { nodeScript } from '../support/node-script.js';

const root = path.resolve(__dirname, '../..');
const leak = leakChecks();

async function zygote(): Promise<number> {
  await Container.run({ args: ['/bin/true'] });
  const pids = zygotePids();
  expect(pids).toHaveLength(1);
  return pids[0];
}

describe('the zygote', () => {
  it('forks every stage 0: a start does not exec the init program', async () => {
    await zygote();
    const r = await Container.run({ args: ['/bin/true'] }, { profile: true });
    expect(r.exitCode).toBe(0);
    const stage0 = r.profile!.filter((m) => m.where === 'parent').map((m) => m.what);
    expect(stage0).toContain('forked by the zygote');
    expect(stage0).not.toContain('running');
  });

  it('killed between two starts: the next start makes another, nothing is lost or left', async () => {
    const first = await zygote();
    process.kill(first, 'SIGKILL');
    // The reactor reaps it: no zombie is left.
    expect(await eventually(() => !isChild(first))).toBe(true);
    const r = await Container.run({ args: ['/bin/echo', 'after'] });
    expect(r.stdout.toString()).toBe('after\n');
    const second = zygotePids();
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    // And the new one leaves nothing behind either.
    leak.mark();
    await Container.run({ args: ['/bin/true'] });
  });

  it('killed while starts are in flight: every one of them still runs', async () => {
    const first = await zygote();
    leak.mark();
    // Stopped, it takes no request off its socket: they wait there, and die with it.
    process.kill(first, 'SIGSTOP');
    const runs = Array.from({ length: 16 }, (_, i) => Container.run({ args: ['/bin/echo', String(i)] }));
    await new Promise((r) => setTimeout(r, 200));
    process.kill(first, 'SIGKILL');
    const results = await Promise.all(runs);
    expect(results.map((r) => r.stdout.toString())).toEqual(Array.from({ length: 16 }, (_, i) => `${i}\n`));
    expect(await eventually(() => !isChild(first))).toBe(true);
    expect(zygotePids()).toHaveLength(1); // the one the first start after the kill made
    leak.mark(); // (that new zygote is not a leak: from here on, nothing may be)
    await Container.run({ args: ['/bin/true'] });
  });

  it('is out of every container\'s reach: not in its pid namespace, not signalable', async () => {
    const z = await zygote();
    const r = await Container.run({ args: ['/bin/sh', '-c', `kill -0 ${z} 2>&1; echo "rc=$?"; ls /proc | grep -cx ${z}`] });
    expect(r.stdout.toString()).toMatch(/rc=1\n0\n$/);
    expect(processExists(z)).toBe(true);
  });

  it('stopped (SIGSTOP), it is replaced: starts do not wait for it for ever', async () => {
    const first = await zygote();
    process.kill(first, 'SIGSTOP');
    const r = await Container.run({ args: ['/bin/echo', 'anyway'] });
    expect(r.stdout.toString()).toBe('anyway\n');
    expect(await eventually(() => !isChild(first))).toBe(true);
    expect(zygotePids()).not.toContain(first);
  });

  it('a container stopped (SIGSTOP) after its setup does not hold up the others', async () => {
    await zygote();
    const slow = await Container.create({ args: ['/bin/sleep', '30'] });
    process.kill(slow.pid, 'SIGSTOP');
    try {
      const r = await Container.run({ args: ['/bin/true'] });
      expect(r.exitCode).toBe(0);
    } finally {
      await slow.destroy();
    }
  });

  it('NSJAIL_TS_ZYGOTE=0: every stage 0 is posix_spawned, and runs the same', () => {
    const out = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(root)}).Container.run({ args: ['/bin/echo', 'ok'] }, { profile: true }).then((r) => console.log(JSON.stringify({ out: r.stdout.toString(), marks: r.profile.filter((m) => m.where === 'parent').map((m) => m.what) })))`],
      { env: { ...process.env, NSJAIL_TS_ZYGOTE: '0' }, encoding: 'utf8', timeout: 20_000 },
    );
    expect(out.stderr).toBe('');
    const { out: text, marks } = JSON.parse(out.stdout) as { out: string; marks: string[] };
    expect(text).toBe('ok\n');
    expect(marks).toContain('running');
    expect(marks).not.toContain('forked by the zygote');
  });

  it('dies with Node, even on SIGKILL', async () => {
    const { child, output } = nodeScript(`require(${JSON.stringify(root)}).Container.run({ args: ['/bin/true'] }).then(() => { console.log('ran'); setInterval(() => {}, 1000); })`);
    expect(await eventually(() => output().includes('ran'), 10_000)).toBe(true);
    const z = zygotePids(child.pid);
    expect(z).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await eventually(() => !processExists(z[0]), 2000)).toBe(true);
  });
});
