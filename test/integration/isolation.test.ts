/** What the default sandbox lets the main process see and do, checked from inside. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Container } from '../../dist/index.js';
import { isRoot } from '../support/host.js';

const sh = async (script: string, extra: object = {}) => {
  const r = await Container.run({ args: ['/bin/sh', '-c', script], ...extra });
  return { ...r, out: r.stdout.toString(), err: r.stderr.toString() };
};

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

describe('namespaces', () => {
  it('every namespace differs from the host', async () => {
    const types = ['user', 'pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'];
    if (fs.existsSync('/proc/self/ns/time')) types.push('time');
    const r = await sh(types.map((t) => `readlink /proc/self/ns/${t}`).join('; '));
    const inside = r.out.trim().split('\n');
    expect(inside).toHaveLength(types.length);
    types.forEach((t, i) => {
      expect(inside[i]).toMatch(new RegExp(`^${t}:\\[\\d+\\]$`));
      expect(inside[i]).not.toBe(fs.readlinkSync(`/proc/self/ns/${t}`));
    });
  });

  it('root inside is the caller outside (a normal caller), or an unprivileged host range (a root caller)', async () => {
    const r = await sh('cat /proc/self/uid_map /proc/self/gid_map');
    const [uid, gid] = r.out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    if (isRoot) {
      // Never host root: root's range in /etc/subuid, or the documented default.
      const range = (file: string) => {
        const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('root:'));
        return line ? [Number(line.split(':')[1]), Math.min(Number(line.split(':')[2]), 65536)] : [0x6fff0000, 65536];
      };
      expect(uid).toEqual([0, ...range('/etc/subuid')]);
      expect(gid).toEqual([0, ...range('/etc/subgid')]);
      expect(uid[1]).not.toBe(0);
    } else {
      expect(uid).toEqual([0, process.geteuid!(), 1]);
      expect(gid).toEqual([0, process.getegid!(), 1]);
    }
  });

  it('the main process sees only its own processes', async () => {
    const r = await sh('ls -d /proc/[0-9]* | wc -l; ps -e -o pid= | wc -l');
    expect(r.exitCode).toBe(0);
    const [procs, ps] = r.out.trim().split('\n').map(Number);
    // init, sh, ls or ps (and wc, which may or may not have started yet)
    expect(ps).toBeGreaterThanOrEqual(3);
    expect(ps).toBeLessThanOrEqual(4);
    expect(procs).toBeGreaterThanOrEqual(3);
    expect(procs).toBeLessThanOrEqual(4);
  });

  it('a fresh hostname, and it can be chosen', async () => {
    expect((await sh('hostname')).out).toBe('sandbox\n');
    expect((await sh('hostname', { hostname: 'box-1' })).out).toBe('box-1\n');
    expect(os.hostname()).not.toBe('box-1');
  });
});

describe('network', () => {
  it('only loopback, and it is up', async () => {
    const r = await sh('ls /sys/class/net; cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "');
    expect(r.out.trim().split('\n')).toEqual(['lo', 'lo']);
    const up = await sh('cat /sys/class/net/lo/operstate /sys/class/net/lo/flags');
    expect(Number(up.out.trim().split('\n')[1]) & 1).toBe(1); // IFF_UP
  });

  it('loopback works: a server and a client inside', async () => {
    const r = await Container.run({
      args: ['/usr/bin/env', 'node', '-e', `
        const net = require('net');
        const s = net.createServer((c) => c.end('pong')).listen(7777, '127.0.0.1', () => {
          net.connect(7777, '127.0.0.1').on('data', (d) => { console.log(String(d)); s.close(); });
        });`],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    expect(r.stdout.toString().trim()).toBe('pong');
  });

  it("network: 'none' leaves loopback down", async () => {
    const r = await sh('cat /sys/class/net/lo/flags', { network: 'none' });
    expect(Number(r.out.trim()) & 1).toBe(0);
  });

  it('no route to the outside', async () => {
    const r = await Container.run({
      args: ['/usr/bin/env', 'node', '-e', `require('net').connect(53, '8.8.8.8').on('error', (e) => { console.log(e.code); }).on('connect', () => console.log('connected'))`],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    expect(r.stdout.toString().trim()).toBe('ENETUNREACH');
  });
});

describe('filesystem', () => {
  it('the host / is visible and read-only', async () => {
    const r = await sh('exec 2>&1; test -f /etc/passwd && echo visible; touch /usr/nsjail-ts-probe; mkdir /etc/x; echo x >> /etc/hostname');
    expect(r.out).toContain('visible');
    // Root gets EROFS; a rootless caller's root maps to no owner of these files, so EACCES comes first.
    expect(r.out.match(/Read-only file system|Permission denied/g)?.length).toBe(3);
    expect(fs.existsSync('/usr/nsjail-ts-probe')).toBe(false);
  });

  it('every host mount below / is read-only too', async () => {
    const r = await sh("awk '$5 != \"/proc\" && $5 !~ /^\\/(dev|tmp|run|sys|proc)(\\/|$)/ { print $5, $6 }' /proc/self/mountinfo");
    const rows = r.out.trim().split('\n').filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(' ')[1].split(',')).toContain('ro');
  });

  it('/tmp is a private tmpfs per container, writable, invisible to the host', async () => {
    const name = `nsjail-ts-${process.pid}-${Date.now()}`;
    const a = await sh(`echo hi > /tmp/${name} && cat /tmp/${name} && stat -f -c %T /tmp && stat -c %a /tmp`);
    expect(a.out).toBe('hi\ntmpfs\n1777\n');
    const b = await sh(`ls /tmp`);
    expect(b.out).toBe('');
    expect(fs.existsSync(path.join('/tmp', name))).toBe(false);
  });

  it('/run is empty: no host sockets (D-Bus, container engines) reachable', async () => {
    const r = await sh('ls -A /run | wc -l; stat -f -c %T /run');
    expect(r.out).toBe('0\ntmpfs\n');
  });

  it('a private /proc for the new pid namespace', async () => {
    const r = await sh('stat -f -c %T /proc; cat /proc/1/comm');
    expect(r.out).toBe('proc\nnsj:[2:INIT]\n');
  });

  it('a minimal /dev of verified devices', async () => {
    const r = await sh('ls -A /dev | sort | tr "\\n" " "; echo; stat -c "%n %t:%T" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty');
    const [listing, ...nodes] = r.out.trim().split('\n');
    expect(listing.trim().split(' ')).toEqual(['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    expect(nodes).toEqual(['/dev/null 1:3', '/dev/zero 1:5', '/dev/full 1:7', '/dev/random 1:8', '/dev/urandom 1:9', '/dev/tty 5:0']);
    const io = await sh('exec 2>&1; echo x > /dev/null && head -c 4 /dev/zero | wc -c && dd if=/dev/zero of=/dev/full bs=1 count=1 status=none; head -c 8 /dev/urandom | wc -c');
    expect(io.out).toMatch(/^4\n.*No space left on device\n8\n$/s);
  });

  it('a private devpts: a pty can be opened, and none of the host ones are there', async () => {
    const r = await Container.run({
      args: ['/usr/bin/env', 'python3', '-c', 'import os, pty; m, s = pty.openpty(); print(os.ttyname(s)); print(sorted(os.listdir("/dev/pts")))'],
    });
    expect(r.stdout.toString()).toBe("/dev/pts/0\n['0', 'ptmx']\n");
  });

  it('/dev/shm works', async () => {
    const r = await Container.run({
      args: ['/usr/bin/env', 'python3', '-c', 'from multiprocessing import shared_memory as s; m = s.SharedMemory(create=True, size=4096); m.buf[0] = 7; print(m.buf[0]); m.close(); m.unlink()'],
    });
    expect(r.stdout.toString()).toBe('7\n');
  });

  it('sysfs is fresh and read-only', async () => {
    const r = await sh('stat -f -c %T /sys; touch /sys/x 2>&1');
    expect(r.out).toMatch(/^sysfs\n.*Read-only file system/s);
  });

  it('host cgroups are not writable: every cgroup mount inside is read-only (CVE-2023-25809)', async () => {
    // Opening for append writes nothing: a success would not change the host either.
    const r = await sh('for f in $(find /sys/fs/cgroup -maxdepth 3 -name cgroup.procs 2>/dev/null); do : >> $f 2>/dev/null && echo OPENED $f; done; echo done; cat /proc/self/mountinfo');
    const [opened, mountinfo] = r.out.split('done\n');
    expect(opened).toBe('');
    const cgroupMounts = (text: string) =>
      text.trim().split('\n').map((l) => l.split(' - ')).filter(([, right]) => /^cgroup2? /.test(right ?? '')).map(([left]) => left!.split(' ')[5]!);
    const inside = cgroupMounts(mountinfo!);
    // The host's cgroup mounts come along with the read-only host root: all read-only.
    if (cgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).length > 0) expect(inside.length).toBeGreaterThan(0);
    for (const options of inside) expect(options.split(',')).toContain('ro');
  });

  it('a bind mount, read-write or read-only', async () => {
    const dir = fs.mkdtempSync('/tmp/nsjail-ts-bind-');
    fs.chmodSync(dir, 0o777);
    fs.writeFileSync(path.join(dir, 'in.txt'), 'from host');
    try {
      const rw = await sh('cat /data/in.txt; echo from sandbox > /data/out.txt', { mounts: [{ type: 'bind', source: dir, target: '/data' }] });
      expect(rw.out).toBe('from host');
      expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('from sandbox\n');
      const ro = await sh('cat /data/in.txt; touch /data/x 2>&1', { mounts: [{ type: 'bind', source: dir, target: '/data', readonly: true }] });
      expect(ro.out).toMatch(/^from host.*Read-only file system/s);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tmpfs with a size, and new mount points under it', async () => {
    const r = await sh('df -k /scratch | tail -1 | awk "{print \\$2}"; ls -d /scratch/deep/er', {
      mounts: [
        { type: 'tmpfs', target: '/scratch', sizeBytes: 8 << 20 },
        { type: 'tmpfs', target: '/scratch/deep/er' },
      ],
    });
    expect(r.out).toBe('8192\n/scratch/deep/er\n');
  });

  it('a new top-level mount target works: the root is then a read-only skeleton of the host', async () => {
    const r = await sh('exec 2>&1; ls /scratch2; test -f /etc/passwd && echo host-visible; ls -ld /lib | cut -c1; mkdir /newdir; touch /scratch2/ok && echo writable', {
      mounts: [{ type: 'tmpfs', target: '/scratch2' }],
    });
    expect(r.out).toMatch(/^host-visible\n(l|d)\n.*Read-only file system\nwritable\n$/s);
  });

  it('a mount target under the read-only root that does not exist is a clear error', async () => {
    await expect(sh('true', { mounts: [{ type: 'tmpfs', target: '/usr/nonexistent-dir/x' }] })).rejects.toThrow(
      /mkdir \/usr\/nonexistent-dir \(stage init\): EROFS.*mount a tmpfs on a parent first/,
    );
  });
});

describe('seccomp', () => {
  const py = (code: string, extra: object = {}) => Container.run({ args: ['python3', '-c', code], ...extra }).then((r) => r.stdout.toString() + r.stderr.toString());

  it('the default filter is on: no nested user namespaces, no keyrings, no TIOCSTI', async () => {
    const r = await sh('exec 2>&1; grep ^Seccomp: /proc/self/status; unshare -U true || echo refused');
    expect(r.out).toMatch(/^Seccomp:\t2\n.*Operation not permitted\nrefused\n$/s);
    const out = await py(
      'import ctypes, fcntl, termios, errno\n' +
        'libc = ctypes.CDLL(None, use_errno=True)\n' +
        'print(libc.syscall(250, 0, 0) == -1 and errno.errorcode[ctypes.get_errno()])\n' + // keyctl
        'try:\n  fcntl.ioctl(0, termios.TIOCSTI, b"x")\nexcept OSError as e:\n  print(errno.errorcode[e.errno])',
    );
    expect(out).toBe('EPERM\nEPERM\n');
  });

  it('vsock and audit netlink sockets are refused; inet, unix and netlink route sockets work', async () => {
    const probe =
      'import socket, errno\n' +
      'for name, args in [("vsock", (40, socket.SOCK_STREAM)), ("vsock-dgram", (40, socket.SOCK_DGRAM)), ("audit", (16, socket.SOCK_RAW, 9)),\n' +
      '                   ("inet", (socket.AF_INET, socket.SOCK_STREAM)), ("unix", (socket.AF_UNIX, socket.SOCK_STREAM)), ("route", (16, socket.SOCK_RAW, 0))]:\n' +
      '  try:\n    socket.socket(*args).close(); print(name, "ok")\n' +
      '  except OSError as e:\n    print(name, errno.errorcode[e.errno])';
    expect(await py(probe)).toBe('vsock EAFNOSUPPORT\nvsock-dgram EAFNOSUPPORT\naudit EPROTONOSUPPORT\ninet ok\nunix ok\nroute ok\n');
    // Without the filter the audit socket opens: the EPROTONOSUPPORT above is the filter's.
    expect(await py(probe, { seccomp: 'none' })).toMatch(/\naudit ok\ninet ok\nunix ok\nroute ok\n$/);
  });

  it("'none' turns it off", async () => {
    const r = await sh('exec 2>&1; grep ^Seccomp: /proc/self/status; unshare -U true && echo nested', { seccomp: 'none' });
    expect(r.out).toBe('Seccomp:\t0\nnested\n');
  });

  it('a custom policy', async () => {
    const r = await sh('exec 2>&1; mkdir /tmp/d; echo still here', {
      seccomp: { defaultAction: 'allow', rules: [{ syscalls: ['mkdir', 'mkdirat'], action: 'errno', errno: 13 }] },
    });
    expect(r.out).toMatch(/Permission denied\nstill here\n$/);
    const killed = await Container.run({ args: ['mkdir', '/tmp/d'], seccomp: { defaultAction: 'allow', rules: [{ syscalls: ['mkdir', 'mkdirat'], action: 'kill' }] } });
    expect(killed.signal).toBe('SIGSYS');
  });
});

describe('privileges', () => {
  it('no capabilities in any set, no_new_privs, a session of its own', async () => {
    const r = await sh("grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status; ps -o sid= -p $$; ps -o pgid= -p $$");
    const lines = r.out.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual(['CapInh:\t0000000000000000', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t0000000000000000', 'CapAmb:\t0000000000000000']);
    expect(lines[5]).toBe('NoNewPrivs:\t1');
    expect(lines[6].trim()).toBe('1'); // the init's session
  });

  it('capabilities can be kept', async () => {
    const r = await sh("grep -E '^Cap(Eff|Bnd|Inh)' /proc/self/status", { capabilities: ['CAP_NET_BIND_SERVICE', 'kill'] });
    const want = ((1n << 10n) | (1n << 5n)).toString(16).padStart(16, '0');
    expect(r.out).toBe(`CapInh:\t0000000000000000\nCapEff:\t${want}\nCapBnd:\t${want}\n`);
  });

  it('runs as another user inside when mapped', async () => {
    const r = await sh('id -u; id -g', { user: { uid: 0, gid: 0 } });
    expect(r.out).toBe('0\n0\n');
  });

  it('rlimits apply', async () => {
    const r = await sh('ulimit -n; ulimit -c', { limits: { rlimits: { nofile: 64, core: 0 } } });
    expect(r.out).toBe('64\n0\n');
  });

  it('the init (PID 1) cannot be ptraced or read by the main process', async () => {
    const r = await sh('cat /proc/1/environ 2>&1; for f in /proc/1/fd/* /proc/1/exe /proc/1/cwd /proc/1/root; do readlink $f && echo LEAKED $f; done; echo end');
    expect(r.out).toBe('cat: /proc/1/environ: Permission denied\nend\n');
    const attach = await Container.run({
      args: ['python3', '-c', 'import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.ptrace(16, 1, 0, 0), errno.errorcode[ctypes.get_errno()])'], // PTRACE_ATTACH
    });
    expect(attach.stdout.toString()).toBe('-1 EPERM\n');
  });
});
