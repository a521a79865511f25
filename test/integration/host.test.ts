/** How the library behaves inside its host Node process: the binary it runs, workers, other children. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Container } from '../../dist/index.js';
import { childPids, eventually, isRoot, processExists } from '../support/host.js';

const root = path.resolve(__dirname, '../..');

describe('the init program', () => {
  it('runs from a sealed memfd that nothing can write (CVE-2019-5736)', async () => {
    await using c = await Container.create({ args: ['/bin/sleep', '30'] });
    if (isRoot) {
      expect(fs.readlinkSync(`/proc/${c.pid}/exe`)).toMatch(/^\/memfd:nsjail-ts-init \(deleted\)$/);
      // Not even root, from outside: the memfd is sealed against writes.
      expect(() => fs.openSync(`/proc/${c.pid}/exe`, 'r+')).toThrow(/EPERM|ETXTBSY|EACCES/);
    } else {
      // A rootless owner cannot even look: the init is not dumpable and its memory
      // belongs to the host's user namespace (so nothing in the container can either).
      expect(() => fs.readlinkSync(`/proc/${c.pid}/exe`)).toThrow(/EACCES|EPERM/);
    }
    const before = fs.readFileSync(path.join(root, 'build/Release/nsjail-ts-init'));
    c.start();
    // From inside: the init's exe is out of reach, and the files on the host are read-only.
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'exec 2>&1; for p in /proc/[0-9]*; do [ -e $p/exe ] && true > $p/exe && echo wrote $p; done; true > ' + path.join(root, 'build/Release/nsjail-ts-init') + '; echo end'],
      init: true,
    });
    expect(r.stdout.toString()).not.toContain('wrote');
    // Read-only, or not even there (a repository under /tmp is hidden by the private /tmp).
    expect(r.stdout.toString()).toMatch(/(Read-only file system|Permission denied|Directory nonexistent)\nend\n$/);
    expect(fs.readFileSync(path.join(root, 'build/Release/nsjail-ts-init')).equals(before)).toBe(true);
  });

  it('the reaper holds only the fds it needs (no stdio, no bootstrap); only root may look', async () => {
    await using c = await Container.create({ args: ['/bin/sh', '-c', 'echo up; exec sleep 30'] });
    const p = c.start();
    await new Promise((r) => p.stdout!.once('data', r)); // running: the start barrier is gone
    if (!isRoot) {
      expect(() => fs.readdirSync(`/proc/${c.pid}/fd`)).toThrow(/EACCES|EPERM/);
      return;
    }
    const fds = fs.readdirSync(`/proc/${c.pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${c.pid}/fd/${fd}`));
    expect(fds.sort()).toEqual([expect.stringMatching(/^anon_inode:\[signalfd\]$/), expect.stringMatching(/^socket:/)]);
  });

  it('oom_score_adj is set for every stage', async () => {
    const r = await Container.run({ args: ['/bin/cat', '/proc/self/oom_score_adj'], oomScoreAdj: 500 });
    expect(r.stdout.toString()).toBe('500\n');
  });
});

describe('inside a Node process', () => {
  it("child_process children still get their own exit events (we never waitpid(-1))", async () => {
    const exits = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => Container.run({ args: ['/bin/sh', '-c', `exit ${i}`] }).then((r) => r.exitCode)),
      ...Array.from({ length: 8 }, (_, i) => new Promise<number | null>((res) => spawn('/bin/sh', ['-c', `exit ${i + 10}`]).on('exit', res))),
    ]);
    expect(exits).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  it('works in a worker thread, and a terminated worker takes its containers with it', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { Container } = require(${JSON.stringify(root)});
       (async () => {
         const r = await Container.run({ args: ['/bin/echo', 'from a worker'] });
         const c = await Container.create({ args: ['/bin/sleep', '300'] });
         c.start();
         parentPort.postMessage({ out: r.stdout.toString(), pid: c.pid });
       })();`,
      { eval: true },
    );
    const msg = await new Promise<{ out: string; pid: number }>((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    expect(msg.out).toBe('from a worker\n');
    expect(processExists(msg.pid)).toBe(true);
    await worker.terminate();
    expect(await eventually(() => !processExists(msg.pid), 1000)).toBe(true);
  });

  it('workers terminated in the middle of spawning leave no crash, zombie or process behind', async () => {
    const before = childPids();
    for (let i = 0; i < 12; i++) {
      const w = new Worker(
        `const { Container } = require(${JSON.stringify(root)});
         (async () => { for (;;) await Promise.all(Array.from({ length: 4 }, () => Container.create({ args: ['/bin/sleep', '77'] }).then((c) => { c.start(); }))); })();`,
        { eval: true },
      );
      await new Promise((r) => setTimeout(r, 20 + ((i * 37) % 150)));
      await w.terminate();
    }
    expect(await eventually(() => childPids().filter((p) => !before.includes(p)).length === 0, 2000)).toBe(true);
    const sleeps = fs.readdirSync('/proc').filter((p) => {
      try {
        return /^\d+$/.test(p) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === '/bin/sleep\u000077\u0000';
      } catch {
        return false;
      }
    });
    expect(sleeps).toEqual([]);
  });
});
