/** The CLI's command line, read into a ContainerConfig (no process started). */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRun, parseSize, UsageError } from '../../dist/cli/run-options.js';
import { exitCodeOf } from '../../dist/cli/run.js';

describe('nsjail-ts run: options', () => {
  it('reads every option into the config', () => {
    const { config, tty } = parseRun([
      '--rootfs', '/srv/root', '--ro-rootfs', '--bind', '/a', '/b', '--ro-bind', '/c', '/d', '--tmpfs', '/scratch:64M', '--proc', '/p2',
      '--hostname', 'box', '--chdir', '/work', '--setenv', 'A', '1', '--uid', '1000', '--gid', '100', '--network', 'none',
      '--cap-add', 'net_bind_service', '--seccomp', 'none', '--time', '500', '--rlimit', 'nofile=64', '--rlimit', 'core=unlimited',
      '--tmp-size', '1G', '--hide', '/srv/secret', '--show-credentials', '--no-init', '-t', '--', 'python3', '-c', 'print(1)',
    ]);
    expect(tty).toBe(true);
    expect(config).toEqual({
      args: ['python3', '-c', 'print(1)'],
      rootfs: '/srv/root',
      readonlyRootfs: true,
      mounts: [
        { type: 'bind', source: '/a', target: '/b' },
        { type: 'bind', source: '/c', target: '/d', readonly: true },
        { type: 'tmpfs', target: '/scratch', sizeBytes: 64 << 20 },
        { type: 'proc', target: '/p2' },
      ],
      hostname: 'box',
      cwd: '/work',
      env: { A: '1' },
      user: { uid: 1000, gid: 100 },
      network: 'none',
      capabilities: ['CAP_NET_BIND_SERVICE'],
      seccomp: 'none',
      limits: { wallTimeMs: 500, rlimits: { nofile: 64, core: Infinity }, tmpBytes: 1 << 30 },
      hidePaths: ['/srv/secret'],
      hideCredentials: false,
      init: false,
    });
  });

  it('reads the file, overlay, output and limit options into the config', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-cli-'));
    const script = path.join(dir, 'run.sh');
    fs.writeFileSync(script, 'echo hi\n', { mode: 0o755 });
    try {
      const cmd = parseRun([
        '--overlay', '/src', '/work', '--overlay-upper', '/src2', '/up', '/w2', '--writable-root', '--file', script, '/app/run.sh',
        '--output', '/app/out', '/tmp/results', '--output', '/app/log.txt', '/tmp/logs',
        '--memory', '64M', '--memory-swap', '16M', '--pids', '32', '--cpus', '0.5', '--cpu-time', '2000', '--time', '5000',
        '--cgroup-parent', '/sys/fs/cgroup/memory/a,/sys/fs/cgroup/unified/a', '--best-effort', '--run-size', '8M', '--shm-size', '1M',
        '--', '/app/run.sh',
      ]);
      expect(cmd.config).toEqual({
        args: ['/app/run.sh'],
        mounts: [
          { type: 'overlay', source: '/src', target: '/work' },
          { type: 'overlay', source: '/src2', target: '/w2', upperDir: '/up' },
        ],
        writableRoot: true,
        files: { '/app/run.sh': { content: Buffer.from('echo hi\n'), mode: 0o755 } },
        limits: {
          memoryBytes: 64 << 20, memorySwapBytes: 16 << 20, pids: 32, cpus: 0.5, cpuTimeMs: 2000, wallTimeMs: 5000,
          cgroupParent: ['/sys/fs/cgroup/memory/a', '/sys/fs/cgroup/unified/a'], enforce: 'best-effort', runBytes: 8 << 20, shmBytes: 1 << 20,
        },
      });
      expect(cmd.outputs).toEqual([{ path: '/app/out', hostDir: '/tmp/results' }, { path: '/app/log.txt', hostDir: '/tmp/logs' }]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('host paths may be relative to the current directory; paths inside stay as given', () => {
    const { config, outputs } = parseRun(['--ro-bind', 'src', '/src', '--overlay', '.', '/work', '--output', '/app/out', 'results', '--', 'true']);
    expect(config.mounts).toEqual([
      { type: 'bind', source: path.resolve('src'), target: '/src', readonly: true },
      { type: 'overlay', source: process.cwd(), target: '/work' },
    ]);
    expect(outputs).toEqual([{ path: '/app/out', hostDir: path.resolve('results') }]);
  });

  it('--network host drops the net namespace; --join replaces one with a path', () => {
    const ns = parseRun(['--network', 'host', '--join', 'uts:/proc/1/ns/uts', '--', 'true']).config.namespaces as Iterable<{ type: string; path?: string }>;
    const list = [...ns];
    expect(list.find((e) => e.type === 'net')).toBeUndefined();
    expect(list.find((e) => e.type === 'uts')).toEqual({ type: 'uts', path: '/proc/1/ns/uts' });
  });

  it.each([
    [['--', ], "no command after '--'"],
    [['true'], "missing '--'"],
    [['--bogus', '--', 'true'], 'unknown option "--bogus"'],
    [['--bind', '/a', '--', 'true'], '--bind needs a value'],
    [['--network', 'wifi', '--', 'true'], '--network: "wifi" is not none, loopback or host'],
    [['--tmpfs', '/t:lots', '--', 'true'], '--tmpfs: "lots" is not a size'],
    [['--no-namespace', 'mnt', '--', 'true'], '--no-namespace: "mnt" is not a namespace'],
    [['--rlimit', 'nofile', '--', 'true'], '--rlimit: give NAME=VALUE'],
    [['--file', '/no/such/file', '/app/f', '--', 'true'], '--file: cannot read /no/such/file: ENOENT'],
    [['--overlay-upper', '/a', '/b', '--', 'true'], '--overlay-upper needs a value'],
    [['--cpu-time', 'soon', '--', 'true'], '--cpu-time: "soon" is not a number'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseRun(argv as string[])).toThrow(UsageError);
    expect(() => parseRun(argv as string[])).toThrow(message);
  });

  it('sizes are binary units', () => {
    expect([parseSize('4096', 'x'), parseSize('64k', 'x'), parseSize('1.5G', 'x'), parseSize('2MiB', 'x')]).toEqual([4096, 65536, 1.5 * 2 ** 30, 2 << 20]);
  });

  it("exit status: the program's own, or 128 + the signal", () => {
    const base = { timedOut: false, oomKilled: false };
    expect(exitCodeOf({ ...base, exitCode: 3, signal: null } as never)).toBe(3);
    expect(exitCodeOf({ ...base, exitCode: null, signal: 'SIGKILL' } as never)).toBe(137);
    expect(exitCodeOf({ ...base, exitCode: null, signal: 'SIGTERM' } as never)).toBe(143);
  });
});
