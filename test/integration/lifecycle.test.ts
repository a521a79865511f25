/** create/start, exec, PID 1, killing the whole tree, wall time, extra fds, many at once. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, Container, ContainerError, Namespaces } from '../../dist/index.js';
import { leaks, pidsInNamespaceOf, processExists, sharedDir, snapshot } from '../support/host.js';

const text = (b: Buffer) => b.toString('utf8');
let before: ReturnType<typeof snapshot>;

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});
afterEach(async () => {
  // Nothing left behind after each test.
  if (before) expect(await leaks(before)).toEqual([]);
});
const mark = () => {
  before = snapshot();
};

async function until(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        stream.off('data', on);
        resolve(seen);
      }
    };
    stream.on('data', on);
    stream.once('end', () => reject(new Error(`stream ended before ${pattern}: ${JSON.stringify(seen)}`)));
  });
}

describe('exec', () => {
  it('joins every namespace: hostname, pid namespace, mounts, user; same capabilities and seccomp', async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sh', '-c', 'echo main > /tmp/shared; echo ready; exec sleep 100'], hostname: 'exec-box' });
    const main = c.start();
    await until(main.stdout!, /ready/);
    // The main process printed "ready" before its exec of sleep: wait (bounded) for that to be done.
    const p = await c.exec([
      '/bin/sh',
      '-c',
      'hostname; cat /tmp/shared; for i in $(seq 100); do ps -e -o comm= | grep -qx sleep && break; sleep 0.02; done; ps -e -o comm=; grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; id -u',
    ]);
    const r = await p.output();
    expect(r.exitCode).toBe(0);
    const lines = text(r.stdout).trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['exec-box', 'main']);
    expect(lines).toContain('sleep');
    expect(lines).toContain('nsj:[2:INIT]');
    expect(lines).toEqual(expect.arrayContaining(['CapEff:\t0000000000000000', 'NoNewPrivs:\t1', 'Seccomp:\t2', '0']));
    const q = await c.exec(['/bin/sh', '-c', 'echo up; exec sleep 100']);
    await until(q.stdout!, /up/);
    for (const ns of ['pid', 'net', 'mnt', 'uts', 'ipc', 'user', 'cgroup'])
      expect(fs.readlinkSync(`/proc/${q.pid}/ns/${ns}`)).toBe(fs.readlinkSync(`/proc/${main.pid}/ns/${ns}`));
    await c.destroy();
  });

  it('reports its own exit status and signal; env, cwd, user and stdin options apply', async () => {
    mark();
    await using c = await Container.create({ args: ['/bin/sleep', '100'] });
    c.start();
    expect((await (await c.exec(['/bin/sh', '-c', 'exit 9'])).wait()).exitCode).toBe(9);
    expect((await (await c.exec(['/bin/sh', '-c', 'kill -TERM $$'])).wait()).signal).toBe('SIGTERM');
    const p = await c.exec(['/bin/sh', '-c', 'echo $FOO; pwd; id -u; cat'], { env: { FOO: 'bar' }, cwd: '/usr', user: { uid: 0, gid: 0 } });
    p.stdin!.end('from stdin\n');
    expect(text((await p.output()).stdout)).toBe('bar\n/usr\n0\nfrom stdin\n');
  });

  it('a missing program, and exec on a stopped container, are clear errors', async () => {
    mark();
    const c = await Container.create({ args: ['/bin/true'] });
    await expect(c.exec(['no-such-program'])).rejects.toMatchObject({ code: 'ENOENT', path: 'no-such-program', stage: 'init' });
    await c.start().wait();
    await expect(c.exec(['/bin/true'])).rejects.toThrow(/is stopped/);
    await c.destroy();
    await expect(c.exec(['/bin/true'])).rejects.toMatchObject({ code: 'ERR_CONTAINER_STOPPED' });
    await expect(c.exec([], {})).rejects.toBeInstanceOf(ConfigError);
  });

  it('works before start with init, and is refused clearly without', async () => {
    mark();
    await using a = await Container.create({ args: ['/bin/true'] });
    expect(text((await (await a.exec(['/bin/echo', 'early'])).output()).stdout)).toBe('early\n');
    await using b = await Container.create({ args: ['/bin/true'], init: false });
    await expect(b.exec(['/bin/true'])).rejects.toMatchObject({ code: 'ERR_CONTAINER_NOT_RUNNING' });
  });

  it("an exec'd process dies with the container", async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sleep', '100'] });
    c.start();
    const p = await c.exec(['/bin/sleep', '101']);
    await c.destroy();
    expect(await p.wait()).toMatchObject({ signal: 'SIGKILL' });
    expect(processExists(p.pid)).toBe(false);
  });
});

describe('joining namespaces by path', () => {
  it('two containers share one network namespace and talk over loopback', async () => {
    mark();
    const server = await Container.create({
      args: ['python3', '-c', 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 7000)); s.listen(); print("up", flush=True); c, _ = s.accept(); c.sendall(b"hello from a"); c.close()'],
    });
    const sp = server.start();
    await until(sp.stdout!, /up/);
    const ns = server.namespaces;
    const client = await Container.run({
      args: ['python3', '-c', 'import socket; s = socket.create_connection(("127.0.0.1", 7000)); print(s.recv(100).decode())'],
      // The net namespace belongs to the server's user namespace: join that too.
      namespaces: new Namespaces(['pid', 'mount', 'uts', 'ipc']).add('user', ns.pathOf('user')).add('net', ns.pathOf('net')),
    });
    expect(text(client.stdout)).toBe('hello from a\n');
    expect(await sp.wait()).toMatchObject({ exitCode: 0 });
    await server.destroy();
  });

  it("a container that joins another's pid namespace sees its processes", async () => {
    mark();
    const a = await Container.create({ args: ['/bin/sh', '-c', 'echo ready; exec sleep 100'] });
    const ap = a.start();
    await until(ap.stdout!, /ready/);
    const ns = a.namespaces;
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'ps -e -o comm='],
      namespaces: new Namespaces(['mount', 'uts', 'ipc', 'net']).add('user', ns.pathOf('user')).add('pid', ns.pathOf('pid')),
    });
    expect(text(r.stdout).trim().split('\n')).toEqual(expect.arrayContaining(['nsj:[2:INIT]', 'sleep', 'ps']));
    await a.destroy();
  });
});

describe('PID 1', () => {
  it('with init (default), SIGTERM stops a sleep that as PID 1 would ignore it', async () => {
    mark();
    await using c = await Container.create({ args: ['/bin/sleep', '100'] });
    const p = c.start();
    c.kill('SIGTERM');
    expect(await p.wait()).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it('with init: false the main process is PID 1 and ignores signals it has no handler for', async () => {
    mark();
    await using c = await Container.create({ args: ['/bin/sh', '-c', 'echo $$; exec sleep 100'], init: false });
    const p = c.start();
    expect(await until(p.stdout!, /\n/)).toBe('1\n');
    // Had SIGTERM been fatal, the kernel would have recorded it as the cause of death
    // there and then, and the SIGKILL after it would change nothing.
    expect(p.kill('SIGTERM')).toBe(true);
    expect(c.state).toBe('running');
    expect(p.kill('SIGKILL')).toBe(true);
    expect(await p.wait()).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('reaps orphans: no zombie is left inside', async () => {
    mark();
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'for i in 1 2 3 4 5; do (sleep 0.05 & exec true) ; done; sleep 0.4; ps -e -o stat=,comm='],
    });
    const states = text(r.stdout).trim().split('\n').map((l) => l.trim().split(/\s+/)[0]);
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states.filter((s) => s.startsWith('Z'))).toEqual([]);
  });

  it('forwards signals to the main process and exits with its status', async () => {
    mark();
    await using c = await Container.create({ args: ['/bin/sh', '-c', 'trap "exit 42" USR1; echo ready; while :; do sleep 0.05; done'] });
    const p = c.start();
    await until(p.stdout!, /ready/);
    p.kill('SIGUSR1');
    expect(await p.wait()).toMatchObject({ exitCode: 42 });
  });
});

describe('killing the whole tree', () => {
  for (const init of [true, false]) {
    it(`kill(SIGTERM) reaches every process, setsid and double-forked ones too (init: ${init})`, async () => {
      mark();
      const dir = sharedDir();
      try {
        // Every process installs its TERM trap before it says it is armed, and the main
        // process says "ready" only once all are: a signal can never come too early.
        const child = (name: string) => `sh -c "trap 'echo ${name} >> /out/got; exit' TERM; echo ${name} >> /out/armed; while :; do sleep 0.05; done"`;
        const lines = (file: string) => `$(cat /out/${file} 2>/dev/null | wc -l)`;
        const script = [
          // The main process lingers until the others have answered (at most 10 s): when
          // it ends, so does everything else.
          `trap 'for i in $(seq 200); do [ ${lines('got')} -ge 3 ] && break; sleep 0.05; done; echo main >> /out/got; exit 0' TERM`,
          `${child('plain')} &`,
          `setsid ${child('setsid')} &`,
          `(${child('double')} &)`,
          `for i in $(seq 200); do [ ${lines('armed')} -ge 3 ] && break; sleep 0.05; done`,
          'echo ready',
          'while :; do sleep 0.05; done',
        ].join('\n');
        const c = await Container.create({ args: ['/bin/sh', '-c', script], init, mounts: [{ type: 'bind', source: dir.path, target: '/out' }] });
        const p = c.start();
        await until(p.stdout!, /ready/);
        c.kill('SIGTERM');
        expect(await p.wait()).toMatchObject({ exitCode: 0 });
        // The main process wrote its line last, once it had seen the others' (or given up).
        expect(fs.readFileSync(path.join(dir.path, 'got'), 'utf8').trim().split('\n').sort()).toEqual(['double', 'main', 'plain', 'setsid']);
        await c.destroy();
      } finally {
        dir.remove();
      }
    });
  }

  it('destroy leaves no process of the container, even after (cmd &) and setsid', async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sh', '-c', '(sleep 100 &); setsid sleep 101 & sleep 102 & echo ready; exec sleep 103'] });
    const p = c.start();
    await until(p.stdout!, /ready/);
    await new Promise((r) => setTimeout(r, 100));
    const inside = pidsInNamespaceOf(p.pid); // the init itself is not inspectable by a rootless owner
    expect(inside.length).toBeGreaterThanOrEqual(4); // sleep 100..103 (and the init, for root)
    await c.destroy();
    await c.destroy();
    expect(inside.filter(processExists)).toEqual([]);
    c.kill('SIGTERM'); // after destroy: a no-op
    expect(c.state).toBe('stopped');
  });

  it('starting twice is an error; kill before start kills it', async () => {
    mark();
    const c = await Container.create({ args: ['/bin/sleep', '100'] });
    const p = c.start();
    expect(() => c.start()).toThrow(ContainerError);
    expect(() => c.start()).toThrow(/already started/);
    c.kill('SIGKILL');
    expect(await p.wait()).toMatchObject({ signal: 'SIGKILL' });
    await c.destroy();
    const d = await Container.create({ args: ['/bin/sleep', '100'] });
    d.kill('SIGKILL');
    expect(await d.wait()).toMatchObject({ signal: 'SIGKILL' });
    await d.destroy();
  });
});

describe('wall time', () => {
  it('ends a loop that traps every signal, and says timedOut', async () => {
    mark();
    const traps = Array.from({ length: 31 }, (_, i) => i + 1).filter((s) => s !== 9 && s !== 19).join(' ');
    const r = await Container.run({ args: ['/bin/sh', '-c', `trap "" ${traps}; while :; do :; done`], limits: { wallTimeMs: 300 } });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(r.durationMs).toBeGreaterThanOrEqual(290);
    expect(r.durationMs).toBeLessThan(5000);
  });

  it('holds while the JS event loop is blocked', async () => {
    mark();
    const dir = sharedDir();
    try {
      const c = await Container.create({
        args: ['/bin/sh', '-c', 'while :; do date +%s%N > /out/last; sleep 0.01; done'],
        mounts: [{ type: 'bind', source: dir.path, target: '/out' }],
        limits: { wallTimeMs: 200 },
      });
      const started = Date.now();
      const p = c.start();
      while (Date.now() - started < 1500); // JS is busy; the native reactor is not
      const status = await p.wait();
      expect(status.timedOut).toBe(true);
      const lastWrite = Number(BigInt(fs.readFileSync(path.join(dir.path, 'last'), 'utf8').trim()) / 1_000_000n);
      expect(lastWrite - started).toBeLessThan(1000);
      await c.destroy();
    } finally {
      dir.remove();
    }
  });

  it('a container that ends in time is not timedOut', async () => {
    mark();
    expect(await Container.run({ args: ['/bin/true'], limits: { wallTimeMs: 5000 } })).toMatchObject({ timedOut: false, exitCode: 0 });
  });
});

describe('extra file descriptors', () => {
  it("pass a socket at fd 3 and a file at fd 4, and nothing else is open inside", async () => {
    mark();
    const file = path.join(sharedDir().path, 'data.txt');
    fs.writeFileSync(file, 'file contents');
    const fd = fs.openSync(file, 'r');
    try {
      const c = await Container.create({
        args: ['/bin/sh', '-c', 'echo hello >&3; read line <&3; echo "got $line"; cat <&4; echo; ls /proc/self/fd | tr "\\n" " "'],
        stdio: ['pipe', 'pipe', 'pipe', 'pipe', fd],
      });
      const p = c.start();
      // The container's fd 3 is the near end of a socketpair here: p.stdio[3].
      const chan = p.stdio[3] as import('node:stream').Duplex;
      expect(await until(chan, /hello\n/)).toBe('hello\n');
      chan.end('a line\n');
      const out = await p.output();
      expect(text(out.stdout)).toMatch(/^got a line\nfile contents\n0 1 2 3 4 5 $/);
      await c.destroy();
    } finally {
      fs.closeSync(fd);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});

describe('many at once', () => {
  it('64 containers created concurrently all succeed', async () => {
    mark();
    const containers = await Promise.all(Array.from({ length: 64 }, () => Container.create({ args: ['/bin/sh', '-c', 'echo $$'] })));
    const results = await Promise.all(containers.map((c) => c.start().output()));
    expect(results.every((r) => r.exitCode === 0 && text(r.stdout) === '2\n')).toBe(true);
    await Promise.all(containers.map((c) => c.destroy()));
  });
});
