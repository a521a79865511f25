/** Configuration is validated before any process exists; errors name the field. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { ConfigError, Container } from '../../dist/index.js';
import { MAX_STRING_BYTES, normalizeConfig, normalizeExec } from '../../dist/config.js';
import { planMounts } from '../../dist/mounts.js';
import { buildBootstrap } from '../../dist/bootstrap.js';
import { compileSeccompPolicy, defaultSeccompPolicy } from '../../dist/seccomp.js';
import { withSetuidGuard } from '../../dist/setuid-guard.js';
import { childPids } from '../support/host.js';

// An fd number this process surely does not have open (fds stay below RLIMIT_NOFILE's hard limit).
const CLOSED_FD = 1_000_000;

function configError(config: unknown): ConfigError {
  try {
    normalizeConfig(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(TypeError);
    return e as ConfigError;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(config)}`);
}

describe('ContainerConfig validation', () => {
  it.each([
    [{}, 'args', /non-empty array/],
    [{ args: [] }, 'args', /non-empty array/],
    [{ args: [1] }, 'args[0]', /string/],
    [{ args: ['sh', 'a\0b'] }, 'args[1]', /NUL/],
    [{ args: ['sh'], bogus: 1 }, 'bogus', /not a ContainerConfig field/],
    [{ args: ['sh'], cwd: 'relative' }, 'cwd', /absolute/],
    [{ args: ['sh'], env: { 'A=B': 'x' } }, 'env["A=B"]', /not a valid variable name/],
    [{ args: ['sh'], env: { A: 1 } }, 'env.A', /string/],
    [{ args: ['sh'], namespaces: ['pid', 'nope'] }, 'namespaces', /unknown type "nope"/],
    [{ args: ['sh'], namespaces: 'user' }, 'namespaces', /must be a Namespaces/],
    [{ args: ['sh'], hostname: 'x', namespaces: ['user', 'pid'] }, 'hostname', /requires the 'uts' namespace/],
    [{ args: ['sh'], hostname: 'x'.repeat(65) }, 'hostname', /64 bytes/],
    [{ args: ['sh'], rootfs: 'rel' }, 'rootfs', /absolute/],
    [{ args: ['sh'], files: [] }, 'files', /object of path/],
    [{ args: ['sh'], files: { '/a': { content: 'x', owner: 1 } } }, 'files["/a"].owner', /not a fixture option/],
    [{ args: ['sh'], files: { '/a': 'x' }, namespaces: ['user', 'pid'] }, 'files', /'mount' namespace/],
    [{ args: ['sh'], writableRoot: 'yes' }, 'writableRoot', /boolean or \{ sizeBytes \}/],
    [{ args: ['sh'], writableRoot: { size: 1 } }, 'writableRoot.size', /not an option of writableRoot/],
    [{ args: ['sh'], mounts: [{ type: 'overlay', target: '/w' }] }, 'mounts[0].source', /string/],
    [{ args: ['sh'], mounts: [{ type: 'overlay', source: '/tmp', target: '/w', upperDir: '/x/up', sizeBytes: 1 << 20 }] }, 'mounts[0].upperDir', /parent directory/],
    [{ args: ['sh'], mounts: [{ type: 'overlay', source: '/tmp', target: '/w', bogus: 1 }] }, 'mounts[0].bogus', /not an option of a overlay mount/],
    [{ args: ['sh'], mounts: [{ type: 'tmpfs', target: '/w' }, { type: 'tmpfs', target: '/w//' }] }, 'mounts[1].target', /also the target of mounts\[0\]/],
    [{ args: ['sh'], rootfs: '/r', namespaces: ['user', 'pid'] }, 'rootfs', /'mount' namespace/],
    [{ args: ['sh'], readonlyRootfs: true }, 'readonlyRootfs', /requires rootfs/],
    [{ args: ['sh'], mounts: [{ type: 'bind', target: '/x' }] }, 'mounts[0].source', /string/],
    [{ args: ['sh'], mounts: [{ type: 'bind', source: '/a', target: '/' }] }, 'mounts[0].target', /must not be '\/'/],
    [{ args: ['sh'], mounts: [{ type: 'bind', source: '/a', target: '/b/../c' }] }, 'mounts[0].target', /'\.\.'/],
    [{ args: ['sh'], mounts: [{ type: 'nfs', target: '/b' }] }, 'mounts[0].type', /one of/],
    [{ args: ['sh'], mounts: [{ type: 'toString', target: '/b' }] }, 'mounts[0].type', /one of/],
    [{ args: ['sh'], mounts: [{ type: 'proc', target: '/p', readonly: true }] }, 'mounts[0].readonly', /not an option of a proc mount/],
    [{ args: ['sh'], mounts: [{ type: 'tmpfs', target: '/t', mode: 0o17777 }] }, 'mounts[0].mode', /between/],
    [{ args: ['sh'], user: { uid: -1, gid: 0 } }, 'user.uid', /between/],
    [{ args: ['sh'], uidMappings: [] }, 'uidMappings', /non-empty/],
    [{ args: ['sh'], uidMappings: [{ containerId: 0, hostId: 0, size: 0 }] }, 'uidMappings[0].size', /between/],
    [{ args: ['sh'], uidMappings: [{ containerId: 0, hostId: 1, size: 10 }, { containerId: 5, hostId: 100, size: 1 }] }, 'uidMappings', /overlapping/],
    [{ args: ['sh'], uidMappings: [{ containerId: 0, hostId: 0, size: 1 }], namespaces: ['pid'] }, 'uidMappings', /'user' namespace/],
    [{ args: ['sh'], network: 'host' }, 'network', /contradicts/],
    [{ args: ['sh'], network: 'loopback', namespaces: ['user', 'mount'] }, 'network', /requires the 'net' namespace/],
    [{ args: ['sh'], network: 'wifi' }, 'network', /'none', 'loopback' or 'host'/],
    [{ args: ['sh'], limits: { wallTimeMs: 0 } }, 'limits.wallTimeMs', /positive/],
    [{ args: ['sh'], limits: { wallTimeMs: -5 } }, 'limits.wallTimeMs', /positive/],
    [{ args: ['sh'], limits: { rlimits: { files: 3 } } }, 'limits.rlimits.files', /not a known rlimit/],
    [{ args: ['sh'], limits: { rlimits: { nofile: -1 } } }, 'limits.rlimits.nofile', /between/],
    [{ args: ['sh'], limits: { memory: 1 } }, 'limits.memory', /not a limit/],
    [{ args: ['sh'], limits: { memoryBytes: -1 } }, 'limits.memoryBytes', /between 1048576 and/],
    [{ args: ['sh'], limits: { memoryBytes: 0 } }, 'limits.memoryBytes', /between 1048576 and/],
    [{ args: ['sh'], limits: { memoryBytes: 1.5e6 + 0.5 } }, 'limits.memoryBytes', /must be an integer/],
    [{ args: ['sh'], limits: { memoryBytes: '64M' } }, 'limits.memoryBytes', /must be an integer, got "64M"/],
    [{ args: ['sh'], limits: { memorySwapBytes: 0 } }, 'limits.memorySwapBytes', /needs limits.memoryBytes/],
    [{ args: ['sh'], limits: { memoryBytes: 1 << 26, memorySwapBytes: -1 } }, 'limits.memorySwapBytes', /between 0 and/],
    [{ args: ['sh'], limits: { pids: 0 } }, 'limits.pids', /between 1 and/],
    [{ args: ['sh'], limits: { pids: 2.5 } }, 'limits.pids', /integer/],
    [{ args: ['sh'], limits: { pids: 3 } }, 'limits.pids', /at least 4: the container's init and its setup processes count too, got 3/],
    [{ args: ['sh'], limits: { cpus: 0 } }, 'limits.cpus', /positive number of CPUs, got number 0/],
    [{ args: ['sh'], limits: { cpus: -1 } }, 'limits.cpus', /positive/],
    [{ args: ['sh'], limits: { cpus: NaN } }, 'limits.cpus', /positive/],
    [{ args: ['sh'], limits: { cpus: '1' } }, 'limits.cpus', /positive number of CPUs, got "1"/],
    [{ args: ['sh'], limits: { cpus: 0.001 } }, 'limits.cpus', /between 0.01 and 4096/],
    [{ args: ['sh'], limits: { cpuTimeMs: 0 } }, 'limits.cpuTimeMs', /positive number of milliseconds/],
    [{ args: ['sh'], limits: { cpuTimeMs: -1 } }, 'limits.cpuTimeMs', /positive/],
    [{ args: ['sh'], limits: { cpuTimeMs: Infinity } }, 'limits.cpuTimeMs', /positive/],
    [{ args: ['sh'], limits: { enforce: 'lenient' } }, 'limits.enforce', /'strict' or 'best-effort'/],
    [{ args: ['sh'], limits: { cgroupParent: 'nsjail' } }, 'limits.cgroupParent', /absolute path/],
    [{ args: ['sh'], limits: { cgroupParent: ['/sys/fs/cgroup/a', '../b'] } }, 'limits.cgroupParent[1]', /absolute path/],
    [{ args: ['sh'], limits: { cgroupParent: '/sys/fs/cgroup/a/../b' } }, 'limits.cgroupParent', /'\.\.'/],
    [{ args: ['sh'], limits: { cgroupParent: [] } }, 'limits.cgroupParent', /at least one directory/],
    [{ args: ['sh'], limits: { cgroupParent: 7 } }, 'limits.cgroupParent', /must be a string/],
    [{ args: ['sh'], capabilities: ['CAP_FLY'] }, 'capabilities[0]', /not a known capability/],
    [{ args: ['sh'], oomScoreAdj: 2000 }, 'oomScoreAdj', /between -1000 and 1000/],
    [{ args: ['sh'], stdio: ['pipe', 'tty'] }, 'stdio[1]', /'pipe', 'inherit', 'ignore'/],
    [{ args: ['sh'], init: 'yes' }, 'init', /boolean/],
    [{ args: ['sh'], seccomp: 'strict' }, 'seccomp', /must be/],
    [{ args: ['sh'], terminal: 'yes' }, 'terminal', /boolean or \{ cols, rows \}/],
    [{ args: ['sh'], terminal: { cols: 0 } }, 'terminal.cols', /between 1 and 65535/],
    [{ args: ['sh'], terminal: { width: 3 } }, 'terminal.width', /not a terminal option/],
    [{ args: ['sh'], terminal: true, stdio: 'inherit' }, 'terminal', /leave stdio\[0\.\.2\] as "pipe"/],
    [{ args: ['sh'], seccomp: { defaultAction: 'allow', rules: [{ syscalls: ['not_a_syscall'], action: 'errno' }] } }, 'seccomp.rules[0].syscalls[0]', /unknown system call 'not_a_syscall'/],
    [{ args: ['sh'], seccomp: { defaultAction: 'errno', rules: [] } }, 'seccomp', /must allow execve unconditionally \(the filter is installed right before execve/],
    [{ args: ['sh'], seccomp: { defaultAction: 'allow', rules: [{ syscalls: ['exit_group'], action: 'kill' }] } }, 'seccomp', /must allow exit_group .*rules\[0\] denies it/],
    // 33 characters, 66 bytes
    [{ args: ['sh'], hostname: 'é'.repeat(33) }, 'hostname', /must be at most 64 bytes \(UTF-8\), got 66/],
    [{ args: ['sh'], uidMappings: [{ containerId: 0, hostId: 1000, size: 10 }, { containerId: 10, hostId: 1009, size: 1 }] }, 'uidMappings', /overlapping host id ranges/],
    [{ args: ['sh'], gidMappings: [{ containerId: 0, hostId: 200, size: 1 }, { containerId: 1, hostId: 150, size: 100 }] }, 'gidMappings', /overlapping host id ranges/],
    [{ args: ['sh'], stdio: ['pipe', 'pipe', 'pipe', CLOSED_FD] }, 'stdio[3]', /is fd 1000000, which is not open in this process/],
    [{ args: ['sh'], stdio: ['pipe', CLOSED_FD, 'pipe'] }, 'stdio[1]', /not open/],
    [{ args: ['sh'], limits: { rlimits: { nofile: 2 } } }, 'limits.rlimits.nofile', /is 2, below the 3 file descriptors the process holds itself \(stdin, stdout, stderr\)/],
    [{ args: ['sh'], stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'ignore'], limits: { rlimits: { nofile: 4 } } }, 'limits.rlimits.nofile', /below the 5 file descriptors .*and 2 extra/],
    [{ args: ['sh'], limits: { rlimits: { as: 1000 } } }, 'limits.rlimits.as', /is in bytes, and 1000 is too small for any program to start \(at least 1048576, 1 MiB\)/],
    [{ args: ['sh'], limits: { rlimits: { as: 0 } } }, 'limits.rlimits.as', /too small/],
    [{ args: ['/bin/echo', 'x'.repeat(140000)] }, 'args[1]', /is 140000 bytes; the kernel takes at most 131071 bytes in one argument/],
    // 32766 characters, 65532 bytes
    [{ args: ['/bin/echo', 'é'.repeat(65536)] }, 'args[1]', /is 131072 bytes/], // bytes, not characters
    [{ args: ['sh'], env: { BIG: 'y'.repeat(131068) } }, 'env.BIG', /is 131072 bytes as "BIG=\.\.\."; the kernel takes at most 131071 bytes in one environment entry/],
    [{ args: ['sh'], cwd: `/${'d'.repeat(5000)}` }, 'cwd', /at most 4095 bytes \(PATH_MAX\), got 5001/],
    [{ args: ['sh'], mounts: [{ type: 'tmpfs', target: `/${'d'.repeat(4095)}` }] }, 'mounts[0].target', /PATH_MAX/],
  ])('%# -> ConfigError on %s', (config, field, message) => {
    const e = configError(config);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(field)).toBe(true);
  });

  it('accepts every value at the limits above', () => {
    expect(CLOSED_FD).toBeLessThan(1 << 20); // else the stdio check above would be another one
    expect(() => fs.fstatSync(CLOSED_FD)).toThrow(/EBADF/);
    const fd = fs.openSync('/dev/null', 'r');
    try {
      expect(normalizeConfig({ args: ['sh'], stdio: ['pipe', fd, 'pipe', fd] }).stdio).toEqual(['pipe', fd, 'pipe', fd]);
    } finally {
      fs.closeSync(fd);
    }
    expect(MAX_STRING_BYTES).toBe(131071); // the kernel's MAX_ARG_STRLEN less its NUL
    expect(normalizeConfig({ args: ['/bin/echo', 'x'.repeat(MAX_STRING_BYTES)] }).args[1]).toHaveLength(MAX_STRING_BYTES);
    expect(normalizeConfig({ args: ['sh'], env: { BIG: 'y'.repeat(MAX_STRING_BYTES - 4) } }).env.BIG).toHaveLength(MAX_STRING_BYTES - 4);
    expect(normalizeConfig({ args: ['sh'], hostname: 'é'.repeat(32) }).hostname).toBe('é'.repeat(32));
    expect(normalizeConfig({ args: ['sh'], cwd: `/${'d'.repeat(4094)}` }).cwd).toHaveLength(4095);
    const limits = (rlimits: object, stdio?: unknown) => normalizeConfig({ args: ['sh'], limits: { rlimits }, stdio: stdio as never }).limits.rlimits;
    expect(limits({ nofile: 3 })).toEqual([{ name: 'nofile', value: 3 }]);
    expect(limits({ nofile: 5 }, ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'])).toEqual([{ name: 'nofile', value: 5 }]);
    expect(limits({ nofile: Infinity, as: Infinity })).toEqual([{ name: 'nofile', value: Infinity }, { name: 'as', value: Infinity }]);
    expect(limits({ as: 1 << 20 })).toEqual([{ name: 'as', value: 1 << 20 }]);
    const cg = normalizeConfig({ args: ['sh'], limits: { memoryBytes: 1 << 20, pids: 4, cpus: 0.01, cpuTimeMs: 0.5, cgroupParent: '/sys/fs/cgroup/x/', enforce: 'best-effort' } }).limits;
    expect(cg).toMatchObject({ memoryBytes: 1 << 20, pids: 4, cpus: 0.01, cpuTimeMs: 1, cgroupParent: ['/sys/fs/cgroup/x'], enforce: 'best-effort' });
    expect(normalizeConfig({ args: ['sh'], limits: { memoryBytes: 1 << 26 } }).limits.enforce).toBe('strict');
    // Adjacent ranges, inside and outside, do not overlap.
    const maps = [{ containerId: 0, hostId: 1000, size: 10 }, { containerId: 10, hostId: 1010, size: 5 }];
    expect(normalizeConfig({ args: ['sh'], uidMappings: maps, gidMappings: maps }).uidMappings).toEqual(maps);
  });

  it('applies the documented defaults', () => {
    const c = normalizeConfig({ args: ['id'] });
    expect(c.env).toEqual({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', TERM: 'dumb' });
    expect(c.cwd).toBe('/');
    expect(c.hostname).toBe('sandbox');
    expect(c.network).toBe('loopback');
    expect(c.init).toBe(true);
    expect(c.noNewPrivileges).toBe(true);
    expect(c.stdio).toEqual(['pipe', 'pipe', 'pipe']);
    expect(c.capabilities).toEqual([]);
    expect(c.seccompProgram).toEqual(compileSeccompPolicy(defaultSeccompPolicy));
    expect([...c.namespaces].map((e) => e.type)).toEqual(expect.arrayContaining(['user', 'pid', 'mount', 'uts', 'ipc', 'net', 'cgroup']));
  });

  it("the seccomp filter: none for 'none'; the setuid guard in front whenever a bind or the rootfs is writable", () => {
    const program = (c: object) => normalizeConfig({ args: ['id'], ...c }).seccompProgram;
    const writableBind = { mounts: [{ type: 'bind', source: '/tmp', target: '/data' }] };
    expect(program({ seccomp: 'none' })).toBeNull();
    expect(program({ seccomp: 'none', mounts: [{ type: 'bind', source: '/tmp', target: '/data', readonly: true }] })).toBeNull();
    expect(program({ seccomp: 'none', ...writableBind })).toEqual(compileSeccompPolicy(withSetuidGuard(null)));
    expect(program(writableBind)).toEqual(compileSeccompPolicy(withSetuidGuard(defaultSeccompPolicy)));
    expect(program({ rootfs: '/srv/root' })).toEqual(compileSeccompPolicy(withSetuidGuard(defaultSeccompPolicy)));
    expect(program({ rootfs: '/srv/root', readonlyRootfs: true })).toEqual(compileSeccompPolicy(defaultSeccompPolicy));
  });

  it('terminal defaults to 80x24 and sets TERM=xterm', () => {
    const c = normalizeConfig({ args: ['sh'], terminal: true });
    expect(c.terminal).toEqual({ cols: 80, rows: 24 });
    expect(c.env.TERM).toBe('xterm');
    expect(normalizeConfig({ args: ['sh'], terminal: { rows: 50 } }).terminal).toEqual({ cols: 80, rows: 50 });
  });

  it("exec options default to the container's, and are checked", () => {
    const container = normalizeConfig({ args: ['sh'], env: { A: '1' }, cwd: '/tmp', user: { uid: 0, gid: 0 } });
    expect(normalizeExec(['ls'], undefined, container)).toMatchObject({ env: { A: '1' }, cwd: '/tmp', user: { uid: 0, gid: 0 }, terminal: null });
    expect(normalizeExec(['ls'], { env: { B: '2' }, cwd: '/', terminal: true }, container)).toMatchObject({ env: { B: '2' }, cwd: '/', terminal: { cols: 80, rows: 24 } });
    expect(() => normalizeExec([], {}, container)).toThrow(/^args must be a non-empty array/);
    expect(() => normalizeExec(['ls'], { cwd: 'x' }, container)).toThrow(/^options\.cwd must be an absolute path/);
    expect(() => normalizeExec(['ls'], { user: { uid: 'root' } }, container)).toThrow(/^options\.user\.uid must be an integer/);
    expect(() => normalizeExec(['ls'], { hostname: 'x' }, container)).toThrow(/^options\.hostname is not an exec option/);
    expect(() => normalizeExec(['ls'], { stdio: ['pipe', 'pipe', 'pipe', CLOSED_FD] }, container)).toThrow(/^stdio\[3\] is fd 1000000, which is not open/);
    expect(() => normalizeExec(['echo', 'x'.repeat(MAX_STRING_BYTES + 1)], {}, container)).toThrow(/^args\[1\] is 131072 bytes/);
    expect(() => normalizeExec(['ls'], { env: { A: 'é'.repeat(70000) } }, container)).toThrow(/^options\.env\.A is 140002 bytes/);
    const few = normalizeConfig({ args: ['sh'], limits: { rlimits: { nofile: 4 } } });
    expect(normalizeExec(['ls'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }, few).stdio).toHaveLength(4);
    expect(() => normalizeExec(['ls'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] }, few)).toThrow(
      /^stdio gives the process 5 file descriptors \(stdin, stdout, stderr and 2 extra\), more than the container's limits\.rlimits\.nofile of 4/,
    );
  });

  it('network defaults to host without a net namespace, and a joined one is left alone', () => {
    expect(normalizeConfig({ args: ['id'], namespaces: ['user', 'mount'] }).network).toBe('host');
    expect(normalizeConfig({ args: ['id'], namespaces: ['user', { type: 'net', path: '/proc/1/ns/net' }] }).network).toBe('joined');
  });

  it('plans the default filesystem: read-only host root, private /proc, /dev, /tmp, /run, fresh /sys', () => {
    const ops = planMounts(normalizeConfig({ args: ['id'], mounts: [{ type: 'tmpfs', target: '/work', sizeBytes: 1 << 20 }] }));
    expect(ops.slice(0, 7).map((o) => [o.kind, o.target])).toEqual([
      [1, '/'],
      [5, '/proc'],
      [9, '/dev'],
      [4, '/tmp'],
      [4, '/run'],
      [6, '/sys'],
      [4, '/work'],
    ]);
    // Scratch space is sized (the /dev operation carries /dev/shm's size).
    expect(ops.slice(2, 5).map((o) => o.size)).toEqual([64 << 20, 256 << 20, 16 << 20]);
    // Then runc's masked (10) and read-only (11) paths, and nothing else before them.
    const rest = ops.slice(7).map((o) => [o.kind, o.target]);
    expect(rest).toEqual(expect.arrayContaining([[10, '/proc/kcore'], [10, '/proc/keys'], [10, '/proc/slabinfo'], [10, '/sys/firmware'], [11, '/proc/sys'], [11, '/proc/sysrq-trigger']]));
    expect(rest.every(([kind]) => kind === 10 || kind === 11)).toBe(true);
  });

  it('plans fixtures: a tmpfs of their own at the topmost directory the host lacks, owned by the user; File operations after every mount', () => {
    const norm = normalizeConfig({
      args: ['id'],
      user: { uid: 5, gid: 6 },
      files: { '/nsjail-ts-app/a/main.py': 'x', '/nsjail-ts-app/b': Buffer.from([1, 2]), '/tmp/in': { content: 'abc', mode: 0o600 }, '/w/x': 'y' },
      mounts: [{ type: 'tmpfs', target: '/w' }],
    });
    const ops = planMounts(norm);
    expect([ops[0].kind, ops[0].data!.split('/').sort()]).toEqual([1, ['nsjail-ts-app', 'w']]); // the skeleton root has both
    const auto = ops.filter((o) => o.kind === 4 && o.target === '/nsjail-ts-app');
    expect(auto).toEqual([expect.objectContaining({ data: 'uid=5,gid=6', mode: 0o755 })]);
    const files = ops.filter((o) => o.kind === 12);
    expect(files.map((o) => [o.target, o.offset, o.size, o.mode])).toEqual([
      ['/nsjail-ts-app/a/main.py', 0, 1, 0o644],
      ['/nsjail-ts-app/b', 1, 2, 0o644],
      ['/tmp/in', 3, 3, 0o600],
      ['/w/x', 6, 1, 0o644],
    ]);
    // The fixtures' tmpfs before the user's mounts, the files after them.
    const at = (o: object) => ops.indexOf(o as never);
    expect(at(auto[0])).toBeLessThan(ops.findIndex((o) => o.target === '/w'));
    expect(at(files[0])).toBeGreaterThan(ops.findIndex((o) => o.target === '/w'));
  });

  it('plans overlays: the lower layer idmapped like a bind (root callers), a private upper sized, or an upperDir and its work dir', () => {
    const src = fs.mkdtempSync('/tmp/nsjail-ts-unit-');
    try {
      const ops = planMounts(
        normalizeConfig({ args: ['id'], mounts: [{ type: 'overlay', source: src, target: '/a' }, { type: 'overlay', source: src, target: '/b', upperDir: `${src}-up`, noexec: true }] }),
      );
      const [a, b] = ops.filter((o) => o.kind === 13);
      expect(a).toMatchObject({ source: src, target: '/a', size: 256 << 20 });
      expect(b).toMatchObject({ data: `${src}-up`, workdir: `${src.replace(/[^/]+$/, '')}.${src.split('/').pop()}-up.nsjail-ts-work` });
      expect((a.flags! & 64) !== 0).toBe(process.geteuid!() === 0);
      expect(b.flags! & 16).toBe(16);
      // An upperDir writes to the host: the setuid guard is in the filter.
      const guarded = normalizeConfig({ args: ['id'], seccomp: 'none', mounts: [{ type: 'overlay', source: src, target: '/b', upperDir: `${src}-up` }] });
      expect(guarded.seccompProgram).not.toBeNull();
      expect(normalizeConfig({ args: ['id'], seccomp: 'none', mounts: [{ type: 'overlay', source: src, target: '/a' }] }).seccompProgram).toBeNull();
    } finally {
      fs.rmSync(src, { recursive: true });
    }
  });

  it('masks every procfs and sysfs the config mounts, unless the mount says mask: false', () => {
    const targets = (mounts: object[]) => planMounts(normalizeConfig({ args: ['id'], mounts })).filter((o) => o.kind === 10).map((o) => o.target);
    expect(targets([{ type: 'proc', target: '/p2' }, { type: 'sysfs', target: '/s2' }])).toEqual(expect.arrayContaining(['/p2/keys', '/s2/firmware']));
    expect(targets([{ type: 'proc', target: '/p2', mask: false }]).some((t) => t.startsWith('/p2/'))).toBe(false);
  });

  it('without a mount namespace there is no filesystem setup at all', () => {
    expect(planMounts(normalizeConfig({ args: ['id'], namespaces: ['user', 'pid'] }))).toEqual([]);
  });

  it('maps the caller to root by default (a root caller: an unprivileged range); setgroups only for root callers', () => {
    const spec = buildBootstrap(normalizeConfig({ args: ['id'] }), { startNow: false, extraFds: 0, logLevel: 0 });
    if (process.geteuid!() === 0) {
      expect(spec.uidMap).toMatch(/^0 [1-9]\d* \d+\n$/);
      expect(spec.gidMap).toMatch(/^0 [1-9]\d* \d+\n$/);
    } else {
      expect(spec.uidMap).toBe(`0 ${process.geteuid!()} 1\n`);
      expect(spec.gidMap).toBe(`0 ${process.getegid!()} 1\n`);
    }
    expect(spec.setgroups).toBe(process.geteuid!() === 0);
    expect(spec.rootlessEuid).toBe(process.geteuid!() !== 0);
  });

  it('refuses a user that is not mapped, and extra groups an unprivileged map cannot have', () => {
    const build = (c: object) => buildBootstrap(normalizeConfig({ args: ['id'], ...c }), { startNow: false, extraFds: 0, logLevel: 0 });
    const outside = process.geteuid!() === 0 ? 70000 : 1000; // root callers get ids 0..65535
    expect(() => build({ user: { uid: outside, gid: 0 } })).toThrow(new RegExp(`user\\.uid ${outside} is not mapped`));
    if (process.geteuid!() !== 0) expect(() => build({ user: { uid: 0, gid: 0, additionalGids: [0] } })).toThrow(/setgroups/);
  });

  it('Container.create rejects a bad config without starting any process', async () => {
    const before = childPids();
    await expect(Container.create({ args: ['id'], hostname: 'x', namespaces: ['user'] })).rejects.toThrow(ConfigError);
    await expect(Container.run({ args: [] })).rejects.toThrow(/args must be a non-empty array/);
    await expect(Container.create({ args: ['id'] }, { id: 'bad id!' })).rejects.toThrow(/id must be/);
    expect(childPids()).toEqual(before);
  });
});
