/** Every failure comes back as a ContainerError naming the syscall, path and stage. */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, Container, ContainerError, type ContainerConfig } from '../../dist/index.js';
import { programLookupStage } from '../support/via-pool.js';
import { MAX_STRING_BYTES } from '../../dist/config.js';
import { describeErrno } from '../../dist/errors.js';
import { isRoot, leaks, sharedDir, snapshot } from '../support/host.js';

const root = path.resolve(__dirname, '../..');

async function failure(p: Promise<unknown>): Promise<ContainerError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ContainerError);
    return e as ContainerError;
  }
  throw new Error('expected a ContainerError');
}

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

describe('failures', () => {
  // Stage 2 looks the program up during setup, before any main process exists: a
  // program that is missing or not executable fails there, with or without init.
  it.each([true, false])('a program that does not exist: ENOENT with the path, before start, from stage 2 (init: %s)', async (init) => {
    const e = await failure(Container.create({ args: ['no-such-program-xyz'], init }));
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(-2);
    expect(e.syscall).toBe('execve');
    expect(e.path).toBe('no-such-program-xyz');
    expect(e.stage).toBe('init');
    expect(e.message).toMatch(/^execve no-such-program-xyz \(stage init\): ENOENT: no such file or directory \(not found in PATH=/);
    const abs = await failure(Container.run({ args: ['/usr/bin/no-such-program'], init }));
    expect(abs).toMatchObject({ code: 'ENOENT', path: '/usr/bin/no-such-program', stage: programLookupStage });
  });

  it('a program that is not executable: EACCES, from stage 2', async () => {
    const e = await failure(Container.run({ args: ['/etc/passwd'] }));
    expect(e).toMatchObject({ code: 'EACCES', syscall: 'execve', path: '/etc/passwd', stage: programLookupStage });
  });

  it('a namespace path that does not exist names the path and the stage', async () => {
    const e = await failure(Container.run({ args: ['/bin/true'], namespaces: ['user', 'mount', { type: 'net', path: '/proc/999999999/ns/net' }] }));
    expect(e).toMatchObject({ code: 'ENOENT', syscall: 'open', path: '/proc/999999999/ns/net', stage: 'child' });
    expect(e.message).toMatch(/^open \/proc\/999999999\/ns\/net \(stage child\): ENOENT/);
  });

  it('a path that is not a namespace of that type', async () => {
    const e = await failure(
      Container.run({ args: ['/bin/true'], namespaces: ['user', 'mount', { type: 'net', path: fs.readlinkSync('/proc/self/exe') }] }),
    );
    expect(e).toMatchObject({ code: 'EINVAL', syscall: 'open', stage: 'child' });
    expect(e.message).toMatch(/not a namespace file/);
  });

  it('a FIFO as a namespace path fails at once instead of hanging (opened non-blocking, checked to be nsfs)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-fifo-'));
    try {
      const fifo = path.join(dir, 'ns');
      execFileSync('mkfifo', [fifo]);
      const before = snapshot();
      const e = await failure(Container.run({ args: ['/bin/true'], namespaces: ['user', 'mount', { type: 'net', path: fifo }] }));
      expect(e).toMatchObject({ code: 'EINVAL', syscall: 'open', stage: 'child', path: fifo });
      expect(await leaks(before)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file bound onto a directory (and a directory onto a file) is a clear error, and leaves nothing', async () => {
    const dir = sharedDir();
    try {
      const file = path.join(dir.path, 'f');
      fs.writeFileSync(file, 'x');
      const before = snapshot();
      const e = await failure(Container.run({ args: ['/bin/true'], mounts: [{ type: 'bind', source: file, target: '/usr' }] }));
      expect(e).toMatchObject({ code: 'EISDIR', path: '/usr', stage: 'init' });
      expect(e.message).toMatch(/is a file but the target is a directory/);
      const f = await failure(Container.run({ args: ['/bin/true'], mounts: [{ type: 'bind', source: dir.path, target: '/etc/hostname' }] }));
      expect(f).toMatchObject({ code: 'ENOTDIR', path: '/etc/hostname' });
      expect(await leaks(before)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it('a bind mount source that does not exist', async () => {
    const e = await failure(Container.run({ args: ['/bin/true'], mounts: [{ type: 'bind', source: '/nonexistent/src', target: '/tmp/x' }] }));
    // A root caller's sources are opened by stage 0 (its container root may not reach them).
    expect(e).toMatchObject({ code: 'ENOENT', syscall: 'open_tree', path: '/nonexistent/src', stage: isRoot ? 'parent' : 'init' });
  });

  it('a working directory that does not exist', async () => {
    const e = await failure(Container.run({ args: ['/bin/true'], cwd: '/no/such/dir' }));
    expect(e).toMatchObject({ code: 'ENOENT', syscall: 'chdir', path: '/no/such/dir' });
  });

  it('a rootfs that does not exist', async () => {
    const e = await failure(Container.run({ args: ['/bin/true'], rootfs: '/no/such/rootfs' }));
    expect(e).toMatchObject({ code: 'ENOENT', path: '/no/such/rootfs' });
  });

  // rlimits and the execve itself belong to the main process: with init, a process of
  // its own forked from stage 2; without, stage 2 itself once it becomes it.
  it.each([
    [true, 'main'],
    [false, 'main'],
  ])('an rlimit above the hard limit we have (init: %s: stage %s)', async (init, stage) => {
    const e = await failure(Container.run({ args: ['/bin/true'], init, limits: { rlimits: { nofile: 1 << 30 } } }));
    expect(e.syscall).toBe('setrlimit');
    expect(e.stage).toBe(stage);
    expect(['EPERM', 'EINVAL']).toContain(e.code);
  });

  it.each([
    [true, 'main'],
    [false, 'main'],
  ])('a file that is neither ELF nor a script: ENOEXEC, with its name and text (init: %s: stage %s)', async (init, stage) => {
    const dir = sharedDir();
    try {
      fs.writeFileSync(path.join(dir.path, 'garbage'), 'not a program\n\x01\x02\x03');
      fs.chmodSync(path.join(dir.path, 'garbage'), 0o755);
      const before = snapshot();
      const e = await failure(
        Container.run({ args: ['/data/garbage'], init, mounts: [{ type: 'bind', source: dir.path, target: '/data', readonly: true }] }),
      );
      expect(e).toMatchObject({ code: 'ENOEXEC', errno: -8, syscall: 'execve', path: '/data/garbage', stage });
      expect(e.message).toBe(`execve /data/garbage (stage ${stage}): ENOEXEC: exec format error`);
      expect(await leaks(before)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it('invalid configuration is a ConfigError, not a ContainerError', async () => {
    await expect(Container.run({ args: ['/bin/true'], hostname: 'h', namespaces: ['user', 'mount'] })).rejects.toBeInstanceOf(ConfigError);
  });

  it('the init program missing is a clear error', () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(root)}).Container.run({ args: ['/bin/true'] }).then(() => console.log('ran'), (e) => console.log(e.code, e.message))`], {
      env: { ...process.env, NSJAIL_TS_INIT: '/nonexistent/nsjail-ts-init' },
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^ENOENT cannot start the init program: cannot open the init program \/nonexistent\/nsjail-ts-init/);
  });
});

describe('errno names', () => {
  it("every errno this platform names has its name and a text, also those libuv's table lacks", () => {
    expect(describeErrno(8)).toEqual({ code: 'ENOEXEC', message: 'exec format error' });
    expect(describeErrno(-10)).toEqual({ code: 'ECHILD', message: 'no child processes' });
    expect(describeErrno(2)).toEqual({ code: 'ENOENT', message: 'no such file or directory' });
    expect(describeErrno(4000)).toEqual({ code: 'E4000', message: 'error 4000' });
    for (const [name, n] of Object.entries(os.constants.errno)) {
      const { code, message } = describeErrno(n);
      // EWOULDBLOCK and ENOTSUP share their numbers with EAGAIN and EOPNOTSUPP.
      expect((os.constants.errno as Record<string, number>)[code], name).toBe(n);
      expect(message, name).not.toMatch(/^error \d+$/);
    }
  });
});

describe('bad input: a typed error naming the field, before any process, and nothing left behind', () => {
  const closedFd = 1_000_000;
  const cases: Array<[string, ContainerConfig]> = [
    ['hostname', { args: ['/bin/true'], hostname: 'ü'.repeat(40) }],
    ['stdio[3]', { args: ['/bin/true'], stdio: ['pipe', 'pipe', 'pipe', closedFd] }],
    ['limits.rlimits.nofile', { args: ['/bin/true'], stdio: ['pipe', 'pipe', 'pipe', 'pipe'], limits: { rlimits: { nofile: 3 } } }],
    ['limits.rlimits.as', { args: ['/bin/true'], limits: { rlimits: { as: 65536 } } }],
    ['uidMappings', { args: ['/bin/true'], uidMappings: [{ containerId: 0, hostId: process.geteuid!(), size: 1 }, { containerId: 1, hostId: process.geteuid!(), size: 1 }] }],
    ['args[1]', { args: ['/bin/echo', 'x'.repeat(MAX_STRING_BYTES + 1)] }],
    ['env.HUGE', { args: ['/bin/true'], env: { HUGE: 'x'.repeat(MAX_STRING_BYTES) } }],
    ['seccomp', { args: ['/bin/true'], seccomp: { defaultAction: 'errno', rules: [] } }],
  ];

  it.each(cases)('%s', async (field, config) => {
    const before = snapshot();
    for (const attempt of [() => Container.run(config), () => Container.create(config)]) {
      const e = await attempt().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe(field);
    }
    expect(await leaks(before)).toEqual([]);
  });

  it('the longest argument and environment entry that fit do reach the program', async () => {
    const arg = 'a'.repeat(MAX_STRING_BYTES);
    const value = 'b'.repeat(MAX_STRING_BYTES - 'V='.length);
    const r = await Container.run({ args: ['/bin/sh', '-c', 'printf %s "$1" | wc -c; printf %s "$V" | wc -c', 'sh', arg], env: { V: value } });
    expect(r.stdout.toString()).toBe(`${MAX_STRING_BYTES}\n${MAX_STRING_BYTES - 2}\n`);
  });
});

describe('environment at fault', () => {
  const unshare = ['/usr/bin/unshare', '/bin/unshare'].find((p) => fs.existsSync(p));
  if (!unshare) console.log('errors: unshare(1) (util-linux) is not installed; the user-namespace hint test is skipped');

  it.skipIf(!unshare)('user namespaces unavailable: the error says so and names the fix', () => {
    // A user namespace whose own limit on nested user namespaces is 0: from inside it,
    // creating one fails exactly as on a host where they are disabled.
    const script = `require(${JSON.stringify(root)}).Container.run({ args: ['/bin/true'] })
      .then(() => console.log('{"ran":true}'), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, syscall: e.syscall, stage: e.stage, message: e.message })))`;
    const out = execFileSync(unshare!, ['--user', '--map-root-user', '/bin/sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" -e "$1"', process.execPath, script], {
      encoding: 'utf8',
    });
    const e = JSON.parse(out);
    expect(e).toMatchObject({ name: 'ContainerError', code: 'ENOSPC', syscall: 'unshare', stage: 'child' });
    expect(e.message).toMatch(/User namespaces are unavailable here: user\.max_user_namespaces is 0: sysctl -w user\.max_user_namespaces=15000/);
  });
});
