/** Mount types and options, each for real: proc, sysfs, devpts, mqueue; readonlyRootfs; tmpfs readonly, mode and size; bind recursive: false. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Container, type Mount } from '../../dist/index.js';
import { isRoot, makeRootfs, sharedDir } from '../support/host.js';
import { leakChecks } from '../support/leak-checks.js';

const { mark } = leakChecks();

async function sh(script: string, extra: object = {}): Promise<string> {
  const r = await Container.run({ args: ['/bin/sh', '-c', `exec 2>&1; ${script}`], ...extra });
  return r.stdout.toString();
}
const mounts = (...m: Mount[]) => ({ mounts: m });
const fstypeAt = (p: string) => `awk '$5 == "${p}" {print $9}' /proc/self/mountinfo`;

describe('mount types', () => {
  it('proc: the container pid namespace, masked like /proc unless mask: false', async () => {
    const maskedAt = "grep -c ' /p2/timer_list ' /proc/self/mountinfo";
    const masked = await sh(`${fstypeAt('/p2')}; head -1 /p2/self/status; ${maskedAt}; touch /p2/sys/kernel/x 2>/dev/null || echo ro`, mounts({ type: 'proc', target: '/p2' }));
    expect(masked).toBe('proc\nName:\thead\n1\nro\n');
    expect(await sh(maskedAt, mounts({ type: 'proc', target: '/p2', mask: false }))).toBe('0\n');
  });

  it('sysfs: read-only, the container network namespace, firmware masked', async () => {
    const out = await sh(`${fstypeAt('/s2')}; ls /s2/class/net; ls /s2/firmware | wc -l; touch /s2/x 2>/dev/null || echo ro`, mounts({ type: 'sysfs', target: '/s2' }));
    expect(out).toBe('sysfs\nlo\n0\nro\n');
  });

  it('devpts: a new instance with its ptmx', async () => {
    const out = await sh(`${fstypeAt('/pts2')}; ls /pts2`, mounts({ type: 'devpts', target: '/pts2' }));
    expect(out).toBe('devpts\nptmx\n');
  });

  it('mqueue: POSIX message queues of the container ipc namespace', async () => {
    const out = await sh(`${fstypeAt('/mq')}; touch /mq/q1 && head -c 6 /mq/q1; echo; ls /mq`, mounts({ type: 'mqueue', target: '/mq' }));
    expect(out).toBe('mqueue\nQSIZE:\nq1\n');
    // A queue of one container is not another's.
    expect(await sh('ls /mq | wc -l', mounts({ type: 'mqueue', target: '/mq' }))).toBe('0\n');
  });
});

describe('options', () => {
  it('readonlyRootfs: the rootfs cannot be written; without it, writes land in the folder', async () => {
    const r = makeRootfs();
    for (const d of ['proc', 'dev', 'tmp', 'sys']) fs.mkdirSync(path.join(r.dir, d));
    try {
      expect(await sh('touch /x && echo wrote', { ...r.config, readonlyRootfs: true })).toMatch(/Read-only file system\n$/);
      expect(fs.existsSync(path.join(r.dir, 'x'))).toBe(false);
      expect(await sh('touch /x && echo wrote', r.config)).toBe('wrote\n');
      expect(fs.existsSync(path.join(r.dir, 'x'))).toBe(true);
      fs.rmSync(path.join(r.dir, 'x'));
    } finally {
      r.remove();
    }
  });

  it('tmpfs readonly and mode', async () => {
    mark();
    const out = await sh('stat -c %a /m /ro; touch /ro/x 2>/dev/null || echo ro; touch /m/x && echo rw', mounts({ type: 'tmpfs', target: '/m', mode: 0o700 }, { type: 'tmpfs', target: '/ro', readonly: true, mode: 0o555 }));
    expect(out).toBe('700\n555\nro\nrw\n');
  });

  it('a tmpfs fills to its size and no further; /tmp is 256 MiB', async () => {
    mark();
    const out = await sh(
      'dd if=/dev/zero of=/t/f bs=64k count=64 2>&1 | grep -o "No space left on device"; stat -c %s /t/f; df -k /t /tmp | awk "NR>1 {print \\$2}"',
      mounts({ type: 'tmpfs', target: '/t', sizeBytes: 1 << 20 }),
    );
    expect(out).toBe(`No space left on device\n${1 << 20}\n1024\n262144\n`);
  });

  it('bind recursive: false: a folder without mounts below binds alone', async () => {
    mark();
    const d = sharedDir();
    try {
      fs.mkdirSync(path.join(d.path, 'sub'));
      fs.writeFileSync(path.join(d.path, 'sub', 'f'), 'f');
      expect(await sh('cat /b/sub/f', mounts({ type: 'bind', source: d.path, target: '/b', recursive: false, readonly: true }))).toBe('f');
    } finally {
      d.remove();
    }
  });

  it(isRoot ? 'bind recursive: false leaves out the mounts below the source' : 'bind recursive: false of a folder with mounts below it is refused, clearly', async () => {
    mark();
    // /dev has /dev/pts and /dev/shm mounted below it.
    const flat = sh('ls /hd/pts | wc -l', mounts({ type: 'bind', source: '/dev', target: '/hd', recursive: false, readonly: true, ...(isRoot ? { idmap: false } : {}) }));
    if (isRoot) {
      expect(await flat).toBe('0\n');
      expect(Number(await sh('ls /hd/pts | wc -l', mounts({ type: 'bind', source: '/dev', target: '/hd', readonly: true, idmap: false })))).toBeGreaterThan(0);
    } else {
      await expect(flat).rejects.toThrow(/EINVAL.*non-recursive bind of a directory with mounts below it would reveal what they hide; use recursive: true/);
    }
  });
});
