/**
 * Containment, tried as an attacker would, as root and as a normal user (both passes run
 * this file): host root never inside, /proc and /sys masked like runc's, no setuid file
 * left on the host, host device nodes unchangeable, nproc effective, scratch space
 * bounded, credentials hidden, capability grants that cannot undo the sandbox.
 *
 * Nothing here writes a host sysctl or a host file outside its own temp dirs: what must
 * not be writable is opened for append and never written.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Container, ContainerError, type ContainerConfig } from '../../dist/index.js';
import { isRoot, leaks, snapshot } from '../support/host.js';

const py = async (script: string, extra: Partial<ContainerConfig> = {}) => {
  const r = await Container.run({ args: ['/usr/bin/python3', '-c', script], limits: { wallTimeMs: 20_000 }, ...extra });
  return { ...r, out: r.stdout.toString(), err: r.stderr.toString() };
};
const sh = async (script: string, extra: Partial<ContainerConfig> = {}) => {
  const r = await Container.run({ args: ['/bin/sh', '-c', script], limits: { wallTimeMs: 20_000 }, ...extra });
  return { ...r, out: r.stdout.toString(), err: r.stderr.toString() };
};

/** A temp dir of ours, removed after the test; `mode` as asked (0700: only its owner may enter). */
const dirs: string[] = [];
function tempDir(mode = 0o700, base = os.tmpdir()): string {
  const d = fs.mkdtempSync(path.join(base, 'nsjail-ts-contain-'));
  fs.chmodSync(d, mode);
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

/** For each path: 'ok' if it opens for writing (append, nothing written), else the errno name. */
const openForWrite = (paths: string[]) =>
  'import os, errno\n' +
  `for p in ${JSON.stringify(paths)}:\n` +
  '  try:\n    fd = os.open(p, os.O_WRONLY | os.O_APPEND); os.close(fd); print(p, "ok")\n' +
  '  except OSError as e:\n    print(p, errno.errorcode[e.errno])\n';

describe('host root never inside', () => {
  it('the kernel files runc keeps read-only fail to open for writing, even with root mapped to host root', async () => {
    const targets = ['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/modprobe', '/proc/sys/vm/drop_caches', '/proc/sys/kernel/hostname', '/proc/sysrq-trigger']
      .filter((p) => fs.existsSync(p));
    expect(targets.length).toBeGreaterThanOrEqual(3);
    const configs: Array<Partial<ContainerConfig>> = [{}];
    // The explicit map gives up the unprivileged range (README); the read-only mounts still hold.
    if (isRoot) configs.push({ uidMappings: [{ containerId: 0, hostId: 0, size: 1 }], gidMappings: [{ containerId: 0, hostId: 0, size: 1 }] });
    for (const extra of configs) {
      const r = await py(openForWrite(targets), extra);
      expect(r.err).toBe('');
      const lines = r.out.trim().split('\n');
      expect(lines).toHaveLength(targets.length);
      for (const line of lines) expect(line).toMatch(/ (EROFS|EACCES|EPERM)$/);
      if (extra.uidMappings) for (const line of lines) expect(line).toMatch(/ EROFS$/); // host root: only the mount stops it
    }
  });

  it('masked kernel files read as empty, masked directories as empty', async () => {
    const files = ['keys', 'timer_list', 'slabinfo', 'kpageflags', 'kpagecount', 'sched_debug', 'latency_stats'].filter((f) => fs.existsSync(`/proc/${f}`));
    const dirsToCheck = ['/proc/acpi', '/proc/scsi', '/sys/firmware'].filter((d) => fs.existsSync(d));
    expect(files.length).toBeGreaterThanOrEqual(3);
    const r = await sh([...files.map((f) => `printf '%s %s\\n' ${f} $(cat /proc/${f} 2>/dev/null | wc -c)`), ...dirsToCheck.map((d) => `printf '%s %s\\n' ${d} $(ls -A ${d} | wc -l)`)].join('; '));
    expect(r.exitCode).toBe(0);
    expect(r.out).toBe([...files, ...dirsToCheck].map((f) => `${f} 0\n`).join(''));
  });

  it('a root caller cannot read /etc/shadow or /root; its container root is not host root', async () => {
    const r = await sh('cat /etc/shadow >/dev/null 2>&1; echo shadow=$?; ls /root >/dev/null 2>&1; echo root=$?; cat /proc/self/uid_map');
    expect(r.out).toMatch(/^shadow=1\n/);
    const [inside, outside] = r.out.trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
    expect(inside).toBe(0);
    expect(outside).not.toBe(0);
    if (isRoot) expect(r.out).toMatch(/\nroot=2\n/);
  });

  it('nproc holds for a root caller too (the kernel exempts only host uid 0): nproc 6 stops the 7th process', async () => {
    // At most 10 forks of sleeping children, under a wall-time limit: never a bomb.
    const script =
      'import os, time\nok = failed = 0\nfor i in range(10):\n  try:\n    pid = os.fork()\n  except OSError:\n    failed += 1\n    continue\n' +
      '  if pid == 0:\n    time.sleep(30)\n    os._exit(0)\n  ok += 1\nprint(ok, failed)\n';
    for (const init of [true, false]) {
      const r = await py(script, { init, limits: { wallTimeMs: 10_000, rlimits: { nproc: 6 } } });
      const [ok, failed] = r.out.trim().split(' ').map(Number);
      // Six processes of the container's root: python, its children, and (init: true) the init.
      expect(ok + 1 + (init ? 1 : 0)).toBe(6);
      expect(failed).toBe(10 - ok);
      expect(r.timedOut).toBe(false);
    }
  });
});

describe('nothing inside changes the host', () => {
  it('a program cannot leave a setuid or setgid file on a writable bind (chmod, open, mkdir, mknod), and its ordinary writes land there', async () => {
    const dir = tempDir(isRoot ? 0o700 : 0o755);
    fs.writeFileSync(path.join(dir, 'in.txt'), 'from the host\n');
    const script =
      'import os, errno\n' +
      'def t(name, f):\n  try:\n    f(); print(name, "ok")\n  except OSError as e:\n    print(name, errno.errorcode[e.errno])\n' +
      'print(open("/data/in.txt").read(), end="")\n' +
      'open("/data/out.txt", "w").write("from inside\\n")\n' +
      'open("/data/exe", "w").close()\n' +
      't("chmod-suid", lambda: os.chmod("/data/exe", 0o4755))\n' +
      't("chmod-sgid", lambda: os.chmod("/data/exe", 0o2755))\n' +
      't("open-suid", lambda: os.close(os.open("/data/new", os.O_CREAT | os.O_WRONLY, 0o4755)))\n' +
      't("mkdir-sgid", lambda: os.mkdir("/data/d", 0o2755))\n' +
      't("mknod-suid", lambda: os.mknod("/data/n", 0o104755))\n' +
      't("chmod-plain", lambda: os.chmod("/data/exe", 0o755))\n';
    const r = await py(script, { mounts: [{ type: 'bind', source: dir, target: '/data' }] });
    expect(r.err).toBe('');
    expect(r.out).toBe('from the host\nchmod-suid EPERM\nchmod-sgid EPERM\nopen-suid EPERM\nmkdir-sgid EPERM\nmknod-suid EPERM\nchmod-plain ok\n');
    // On the host: nothing with a setuid or setgid bit, and the new file is the caller's.
    for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o6000).toBe(0);
    const st = fs.statSync(path.join(dir, 'out.txt'));
    expect([st.uid, st.gid]).toEqual([process.geteuid!(), process.getegid!()]);
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('from inside\n');
  });

  it('a root caller\'s container root owns a 0700 root-owned bind, through an idmapped mount', async () => {
    const dir = tempDir(0o700);
    fs.writeFileSync(path.join(dir, 'secret'), 'mine\n', { mode: 0o600 });
    const r = await sh('cat /data/secret; stat -c "%u %g %a" /data /data/secret; echo made > /data/new', { mounts: [{ type: 'bind', source: dir, target: '/data' }] });
    expect(r.err).toBe('');
    expect(r.out).toBe('mine\n0 0 700\n0 0 600\n');
    expect(fs.statSync(path.join(dir, 'new')).uid).toBe(process.geteuid!());
  });

  it('host device nodes cannot be changed from inside', async () => {
    const before = ['/dev/null', '/dev/full', '/dev/zero'].map((d) => fs.statSync(d));
    const r = await sh('touch /dev/full 2>&1; echo touch=$?; chmod 600 /dev/null 2>&1; echo chmod=$?; chown 1:1 /dev/zero 2>&1; echo chown=$?; echo ok > /dev/null; echo write=$?');
    expect(r.out).toMatch(/touch=1\n/);
    expect(r.out).toMatch(/chmod=1\n/);
    expect(r.out).toMatch(/chown=1\n/);
    expect(r.out).toMatch(/write=0\n$/); // still usable
    const after = ['/dev/null', '/dev/full', '/dev/zero'].map((d) => fs.statSync(d));
    after.forEach((st, i) => expect([st.mode, st.uid, st.gid, st.mtimeMs]).toEqual([before[i].mode, before[i].uid, before[i].gid, before[i].mtimeMs]));
  });

  it('device nodes in a rootfs or a bind do not work (nodev), setuid bits there do nothing (nosuid)', async () => {
    const r = await sh('grep -E " /(data|tmp|run|dev/shm) " /proc/self/mountinfo | grep -vc "nosuid,nodev" ; true', {
      mounts: [{ type: 'bind', source: tempDir(0o755), target: '/data' }],
    });
    expect(r.out.trim()).toBe('0');
  });
});

describe('bounded scratch space', () => {
  it('/tmp, /run and /dev/shm have documented sizes; /tmp fills to limits.tmpBytes and no further', async () => {
    const r = await sh('df -k /tmp /run /dev/shm | tail -3 | awk \'{print $2}\'');
    expect(r.out.trim().split('\n').map(Number)).toEqual([256 * 1024, 16 * 1024, 64 * 1024]);
    const small = await sh('dd if=/dev/zero of=/tmp/fill bs=64k count=64 2>&1 | grep -c "No space left on device"; ls -l /tmp/fill | awk \'{print $5}\'', {
      limits: { tmpBytes: 1 << 20, wallTimeMs: 20_000 },
    });
    const [refused, size] = small.out.trim().split('\n').map(Number);
    expect(refused).toBe(1);
    expect(size).toBeGreaterThan(512 << 10);
    expect(size).toBeLessThanOrEqual(1 << 20);
  });
});

describe('credentials', () => {
  /** A fake home with credentials, visible in the host view (not under the private /tmp). */
  function fakeHome(): string {
    const home = tempDir(0o755, fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir());
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY\n');
    fs.writeFileSync(path.join(home, '.npmrc'), '//registry.npmjs.org/:_authToken=secret\n');
    fs.writeFileSync(path.join(home, 'notes.txt'), 'not secret\n');
    return home;
  }

  async function withHome<T>(home: string, fn: () => Promise<T>): Promise<T> {
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      return await fn();
    } finally {
      if (saved === undefined) delete process.env.HOME;
      else process.env.HOME = saved;
    }
  }

  it('are hidden in the host view and in binds of the home, unless turned off or bound on purpose', async () => {
    const home = fakeHome();
    const read = (where: string) => `cat ${where}/.ssh/id_ed25519 ${where}/.npmrc ${where}/notes.txt 2>/dev/null; ls -A ${where}/.ssh | wc -l`;
    await withHome(home, async () => {
      const hidden = await sh(`${read(home)}; ${read('/h')}`, { mounts: [{ type: 'bind', source: home, target: '/h' }] });
      expect(hidden.out).toBe('not secret\n0\nnot secret\n0\n');
      const shown = await sh(read(home), { hideCredentials: false });
      expect(shown.out).toBe('PRIVATE KEY\n//registry.npmjs.org/:_authToken=secret\nnot secret\n1\n');
      const onPurpose = await sh('cat /keys/id_ed25519', { mounts: [{ type: 'bind', source: path.join(home, '.ssh'), target: '/keys', readonly: true }] });
      expect(onPurpose.out).toBe('PRIVATE KEY\n');
      const more = await sh(`cat ${home}/notes.txt 2>&1 | wc -c`, { hidePaths: [path.join(home, 'notes.txt')] });
      expect(more.out.trim()).toBe('0');
    });
  });
});

describe('capability grants cannot undo the sandbox', () => {
  it('CAP_SYS_ADMIN with seccomp none cannot remount the host view read-write or unmount a mask; its own mounts work (main and exec)', async () => {
    const script = 'mount -o remount,rw / 2>/dev/null; echo remount=$?; umount /proc/keys 2>/dev/null; echo umount=$?; ' +
      'mkdir -p /tmp/own && mount -t tmpfs own /tmp/own && echo own-mount';
    for (const init of [true, false]) {
      const r = await sh(script, { capabilities: ['CAP_SYS_ADMIN'], seccomp: 'none', init });
      expect(r.out).toBe('remount=32\numount=32\nown-mount\n');
    }
    await using c = await Container.create({ args: ['/bin/sleep', '30'], capabilities: ['CAP_SYS_ADMIN'], seccomp: 'none' });
    c.start();
    const p = await c.exec(['/bin/sh', '-c', script]);
    expect((await p.output()).stdout.toString()).toBe('remount=32\numount=32\nown-mount\n');
  });

  it('CAP_SYS_PTRACE cannot reach PID 1 (ptrace, pidfd_getfd of its control socket): the exit status stays the reaper\'s', async () => {
    const script =
      'import ctypes, os, errno\n' +
      'libc = ctypes.CDLL(None, use_errno=True)\n' +
      'r = libc.ptrace(16, 1, 0, 0)\n' + // PTRACE_ATTACH
      'print("attach", errno.errorcode.get(ctypes.get_errno(), "ok") if r != 0 else "ok")\n' +
      'pidfd = os.pidfd_open(1)\n' +
      'got = libc.syscall(438, pidfd, 3, 0)\n' + // pidfd_getfd(pid 1, fd 3)
      'print("getfd", errno.errorcode.get(ctypes.get_errno(), "ok") if got < 0 else "ok")\n' +
      'raise SystemExit(3)\n';
    const r = await py(script, { capabilities: ['CAP_SYS_PTRACE'], seccomp: 'none' });
    expect(r.out).toBe('attach EPERM\ngetfd EPERM\n');
    expect(r.exitCode).toBe(3);
  });
});

describe('setup failures', () => {
  it('exec racing destroy() rejects with ERR_CONTAINER_STOPPED, and leaves nothing', async () => {
    const before = snapshot();
    const c = await Container.create({ args: ['/bin/sleep', '30'] });
    c.start();
    const destroyed = c.destroy();
    const e = await c.exec(['/bin/true']).then(
      () => null,
      (err: unknown) => err,
    );
    await destroyed;
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as ContainerError).code).toBe('ERR_CONTAINER_STOPPED');
    expect(await leaks(before)).toEqual([]);
  });

  it('a wall-time limit shorter than setup ends the program, not the setup: timedOut, not an error', async () => {
    const r = await Container.run({ args: ['/bin/sleep', '5'], limits: { wallTimeMs: 1 } });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
  });
});
