/**
 * Container-escape classes that runc and its peers have had (published CVEs), tried for
 * real. (Others are covered where the feature is tested: CVE-2019-5736 in host.test.ts,
 * CVE-2017-5226 in terminal.test.ts, CVE-2021-43784 in protocol.test.ts, CVE-2022-29162
 * and CVE-2023-25809 in isolation.test.ts.)
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Container, ContainerError } from '../../dist/index.js';
import { makeRootfs, sharedDir } from '../support/host.js';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup) f();
  cleanup = [];
});
beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

describe('escapes', () => {
  it('a rootfs works at all (the harness for the rest)', async () => {
    const r = makeRootfs();
    cleanup.push(r.remove);
    const out = await Container.run({ args: ['/bin/sh', '-c', 'ls /; cat /proc/1/comm; ls /dev | wc -l'], ...r.config });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.toString()).toMatch(/nsj:\[2:INIT\]\n13\n$/);
    expect(fs.readdirSync(r.dir).sort()).toEqual(expect.arrayContaining(['dev', 'proc', 'tmp', 'usr']));
  });

  it.each([3, 4, 5, 6, 7, 8, 9, 10])('cwd /proc/self/fd/%i cannot lead outside the root (CVE-2024-21626)', async (n) => {
    // None of the setup's own fds is a directory, and nothing else is open.
    const e = await Container.run({ args: ['/bin/pwd'], cwd: `/proc/self/fd/${n}` }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect(e).toMatchObject({ syscall: 'chdir', path: `/proc/self/fd/${n}`, stage: 'init' });
    expect(['ENOTDIR', 'ENOENT']).toContain((e as ContainerError).code);
  });

  /**
   * A host directory the caller passes as an extra fd, named as the cwd: the chdir
   * works, and only the guard after it can see that the cwd is outside the root. During
   * setup (where cwd is applied) extra fds sit at 5, 6, ...; the main process gets them
   * at 3, 4, ... (src-native/setup/process.cc), so every number is tried. The program
   * would leave a file in the directory if it ran.
   */
  async function cwdThroughPassedFd(root: object): Promise<void> {
    const host = sharedDir();
    cleanup.push(host.remove);
    const fd = fs.openSync(host.path, 'r');
    try {
      const syscalls = new Set<string>();
      for (let n = 3; n <= 8; n++) {
        const e = await Container.run({
          args: ['/bin/sh', '-c', `pwd > ran-${n}`],
          cwd: `/proc/self/fd/${n}`,
          stdio: ['pipe', 'pipe', 'pipe', fd],
          ...root,
        }).catch((x: unknown) => x);
        expect(e, `fd ${n}`).toBeInstanceOf(ContainerError);
        expect(['chdir', 'getcwd'], `fd ${n}`).toContain((e as ContainerError).syscall);
        syscalls.add((e as ContainerError).syscall!);
      }
      expect(fs.readdirSync(host.path)).toEqual([]);
      // One of them was the passed directory, and the guard refused it.
      expect(syscalls.has('getcwd')).toBe(true);
    } finally {
      fs.closeSync(fd);
    }
  }

  it('cwd /proc/self/fd/N naming a passed host directory is refused by the guard (rootfs)', async () => {
    const r = makeRootfs();
    cleanup.push(r.remove);
    await cwdThroughPassedFd(r.config);
  });

  // With the host's / as the root, glibc's getcwd() would rebuild a normal-looking path
  // from the kernel's "(unreachable)/tmp/..." by walking ".."; the guard reads the
  // system call's own answer instead.
  it('cwd /proc/self/fd/N naming a passed host directory is refused by the guard (host root)', async () => {
    await cwdThroughPassedFd({});
  });

  it('symlinked mount targets resolve inside the rootfs, never out of it (CVE-2021-30465 class)', async () => {
    const r = makeRootfs();
    cleanup.push(r.remove);
    fs.mkdirSync(path.join(r.dir, 'etc'));
    fs.mkdirSync(path.join(r.dir, 'var'));
    fs.symlinkSync('/etc', path.join(r.dir, 'abs')); // absolute: the host's /etc, read naively
    fs.symlinkSync('../../../../../../../var', path.join(r.dir, 'rel')); // up and out, read naively
    const marker = `nsjail-ts-escape-${process.pid}`;
    const res = await Container.run({
      args: ['/bin/sh', '-c', `echo in > /abs/${marker} && echo in > /rel/${marker} && stat -f -c %T /etc /var && ls /etc /var`],
      ...r.config,
      mounts: [...r.config.mounts, { type: 'tmpfs', target: '/abs' }, { type: 'tmpfs', target: '/rel' }],
    });
    expect(res.exitCode).toBe(0);
    // Both landed on the rootfs's own directories, inside the container only.
    expect(res.stdout.toString()).toBe(`tmpfs\ntmpfs\n/etc:\n${marker}\n\n/var:\n${marker}\n`);
    expect(fs.existsSync(`/etc/${marker}`) || fs.existsSync(`/var/${marker}`)).toBe(false);
    expect(fs.readdirSync(path.join(r.dir, 'etc'))).toEqual([]);
  });

  it('a rootfs whose /dev or /proc is a symlink is refused (CVE-2026-41579, CVE-2019-19921)', async () => {
    for (const name of ['dev', 'proc']) {
      const r = makeRootfs();
      cleanup.push(r.remove);
      const outside = sharedDir();
      cleanup.push(outside.remove);
      fs.symlinkSync(outside.path, path.join(r.dir, name));
      const e = await Container.run({ args: ['/bin/true'], ...r.config }).catch((x) => x);
      expect(e).toBeInstanceOf(ContainerError);
      expect(e).toMatchObject({ code: 'ELOOP', path: `/${name}`, stage: 'init' });
      expect(e.message).toMatch(/must be a directory/);
      expect(fs.readdirSync(outside.path)).toEqual([]);
    }
  });

  it("a rootfs's own /dev/null, even a symlink to core_pattern, is never used (CVE-2025-31133)", async () => {
    const r = makeRootfs();
    cleanup.push(r.remove);
    fs.mkdirSync(path.join(r.dir, 'dev'));
    fs.symlinkSync('/proc/sys/kernel/core_pattern', path.join(r.dir, 'dev', 'null'));
    const before = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
    const res = await Container.run({ args: ['/bin/sh', '-c', 'stat -c "%F %t:%T" /dev/null; echo x > /dev/null && echo wrote'], ...r.config });
    expect(res.stdout.toString()).toBe('character special file 1:3\nwrote\n');
    expect(fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(before);
    expect(fs.lstatSync(path.join(r.dir, 'dev', 'null')).isSymbolicLink()).toBe(true); // the rootfs untouched underneath
  });

  it('a bind mount source that is a symlink is followed on the host, as the caller meant it', async () => {
    const d = sharedDir();
    cleanup.push(d.remove);
    fs.writeFileSync(path.join(d.path, 'f'), 'data');
    fs.symlinkSync(d.path, `${d.path}-link`);
    cleanup.push(() => fs.rmSync(`${d.path}-link`));
    const ok = await Container.run({ args: ['/bin/cat', '/tmp/data/f'], mounts: [{ type: 'bind', source: `${d.path}-link`, target: '/tmp/data', readonly: true }] });
    expect(ok.stdout.toString()).toBe('data');
  });
});
