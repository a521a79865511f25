/** terminal: true gives the main process a pty; nothing inside can reach the caller's terminal. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { finished } from 'node:stream/promises';
import * as path from 'node:path';
import { ConfigError, Container } from '../../dist/index.js';
import { leakChecks } from '../support/leak-checks.js';

const root = path.resolve(__dirname, '../..');
const { mark } = leakChecks();

describe('terminal', () => {
  it('the main process has a pty from the container devpts as its controlling terminal', async () => {
    mark();
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-tty; stty size; echo $TERM; ps -o tty= -p $$'],
      terminal: { cols: 100, rows: 40 },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().split('\r\n')).toEqual(['/dev/pts/0', 'all-tty', '40 100', 'xterm', 'pts/0', '']);
    expect(r.stderr.length).toBe(0);
  });

  it('input goes through the line discipline; resize delivers SIGWINCH', async () => {
    mark();
    await using c = await Container.create({
      args: ['/bin/sh', '-c', 'stty size; read line; echo "got [$line]"; trap "stty size; exit 0" WINCH; echo waiting; while :; do sleep 0.05; done'],
      terminal: true,
    });
    const p = c.start();
    expect(p.isTTY).toBe(true);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (out.includes(text)) {
            clearInterval(t);
            resolve();
          }
        }, 5);
      });
    await seen('24 80');
    p.stdin!.write('hello\n');
    await seen('waiting');
    expect(p.resize(132, 50)).toBe(true);
    expect(await p.wait()).toMatchObject({ exitCode: 0 });
    await finished(p.stdout!); // everything it wrote has been read
    expect(out.split('\r\n')).toEqual(['24 80', 'hello', 'got [hello]', 'waiting', '50 132', '']);
    expect(() => p.resize(0, 10)).toThrow(RangeError);
  });

  it('exec can have a terminal too', async () => {
    mark();
    await using c = await Container.create({ args: ['/bin/sleep', '30'] });
    c.start();
    const p = await c.exec(['/bin/sh', '-c', 'test -t 1 && stty size'], { terminal: { cols: 30, rows: 10 } });
    expect((await p.output()).stdout.toString()).toBe('10 30\r\n');
  });

  it('output the caller does not read waits in the pty, not in the caller (backpressure)', async () => {
    mark();
    await using c = await Container.create({ args: ['/usr/bin/yes'], terminal: true, limits: { wallTimeMs: 10_000 } });
    const p = c.start();
    const out = p.stdout!;
    await new Promise((resolve) => out.once('readable', resolve));
    expect(out.read(4)?.toString()).toBe('y\r\ny');
    // yes writes as fast as it can for 2 s while nobody reads: unbounded, that was
    // megabytes a second piling up here.
    const start = process.memoryUsage();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const end = process.memoryUsage();
    expect(end.arrayBuffers - start.arrayBuffers).toBeLessThan(2 << 20);
    expect(end.rss - start.rss).toBeLessThan(16 << 20);
    expect(out.readableLength).toBeLessThanOrEqual(out.readableHighWaterMark * 2);
    // Reading again, the output flows again.
    let got = 0;
    await new Promise<void>((resolve) => {
      const on = (d: Buffer) => {
        got += d.length;
        if (got < 1 << 20) return;
        out.off('data', on);
        out.pause();
        resolve();
      };
      out.on('data', on);
    });
    expect(got).toBeGreaterThanOrEqual(1 << 20);
    await c.destroy();
    expect((await p.wait()).signal).toBe('SIGKILL');
  });

  it('needs stdio 0..2 to be pipes', async () => {
    await expect(Container.create({ args: ['/bin/true'], terminal: true, stdio: ['pipe', 'inherit', 'pipe'] })).rejects.toThrow(ConfigError);
    await expect(Container.create({ args: ['/bin/true'], terminal: { cols: 0 } })).rejects.toThrow(/terminal\.cols/);
  });
});

describe("the caller's terminal", () => {
  it('a sandbox on inherited stdio cannot inject keystrokes into it (new session; TIOCSTI, CVE-2017-5226)', () => {
    // A Node process whose stdio is a real terminal (its controlling tty) runs a container
    // on inherited stdio that tries TIOCSTI on fd 0, with and without the seccomp filter.
    const script = `
      const { Container } = require(${JSON.stringify(root)});
      const probe = 'import fcntl, termios, errno, os, sys\\n' +
        'print("isatty", os.isatty(0), file=sys.stderr)\\n' +
        'try:\\n  fcntl.ioctl(0, termios.TIOCSTI, b"X")\\n  print("INJECTED", file=sys.stderr)\\n' +
        'except OSError as e:\\n  print("refused", errno.errorcode[e.errno], file=sys.stderr)';
      (async () => {
        for (const seccomp of ['default', 'none'])
          await Container.run({ args: ['python3', '-c', probe], stdio: 'inherit', seccomp });
      })();`;
    const out = execFileSync('python3', ['-c', 'import pty, sys; pty.spawn(sys.argv[1:])', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(out).not.toContain('INJECTED');
    const refusals = out.match(/refused (E\w+)/g) ?? [];
    expect(refusals).toHaveLength(2);
    for (const r of refusals) expect(['refused EPERM', 'refused EIO']).toContain(r);
    expect(out).toContain('isatty True');
  });
});
