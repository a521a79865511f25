/** When Node dies (even SIGKILL), every container it owns goes with it. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { eventually, processExists } from '../support/host.js';

const root = path.resolve(__dirname, '../..');

function owner(script: string) {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

describe('die with the owner', () => {
  it.each(['SIGKILL', 'SIGTERM'] as const)('%s of the Node process takes down its containers, main processes and orphans', async (signal) => {
    const { child, lines } = owner(`
      const { Container } = require(${JSON.stringify(root)});
      (async () => {
        const a = await Container.create({ args: ['/bin/sh', '-c', '(sleep 300 &); sleep 301'] });
        const pa = a.start();
        const b = await Container.create({ args: ['/bin/sleep', '302'], init: false });
        b.start();
        const c = await Container.create({ args: ['/bin/sleep', '303'] }); // created, never started
        await new Promise((r) => setTimeout(r, 200));
        console.log(JSON.stringify({ pids: [a.pid, pa.pid, b.pid, c.pid] }));
      })();
    `);
    await eventually(() => lines.length > 0, 10_000);
    const { pids } = JSON.parse(lines[0]) as { pids: number[] };
    expect(pids.every(processExists)).toBe(true);
    const start = Date.now();
    child.kill(signal);
    expect(await eventually(() => !pids.some(processExists), 1000)).toBe(true);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('process.exit() with running containers kills and reaps them', async () => {
    const { child, lines } = owner(`
      const { Container } = require(${JSON.stringify(root)});
      (async () => {
        const a = await Container.create({ args: ['/bin/sleep', '300'] });
        a.start();
        console.log(JSON.stringify({ pids: [a.pid] }));
        setTimeout(() => process.exit(0), 100);
      })();
    `);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    const { pids } = JSON.parse(lines[0]) as { pids: number[] };
    expect(await eventually(() => !pids.some(processExists), 1000)).toBe(true);
  });

  it('a container that is never destroyed does not keep Node alive after it exits', async () => {
    const { child } = owner(`
      const { Container } = require(${JSON.stringify(root)});
      Container.create({ args: ['/bin/true'] }).then((c) => c.start());
    `);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});
