/** Copy-on-write overlays: a private upper layer, an upperDir on the host, writableRoot, changes(). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, Container } from '../../dist/index.js';
import { isRoot } from '../support/host.js';
import { leakChecks } from '../support/leak-checks.js';

const text = (b: Buffer) => b.toString('utf8');

/** A root caller's container root on the host: root's range in /etc/subuid, or the default one (README, "Security model"). */
function containerRootOnHost(): number {
  const line = fs.existsSync('/etc/subuid') ? fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => /^(root|0):/.test(l)) : undefined;
  return line ? Number(line.split(':')[1]) : 1878982656;
}
const { mark } = leakChecks();
let base: string;
let src: string;

/** A tree of the caller's, readable by the container. */
function sourceTree(): Record<string, string> {
  const files = { 'keep.txt': 'keep', 'mod.txt': 'mod', 'del.txt': 'del', 'd/e/f': 'f', 'bin/tool': 'tool' };
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    fs.writeFileSync(path.join(src, rel), body);
  }
  return files;
}
/** Every file below `dir`, relative, with its contents. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath ?? e.path, e.name);
    if (e.isFile()) out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

beforeAll(() => {
  base = fs.mkdtempSync('/tmp/nsjail-ts-overlay-');
  fs.chmodSync(base, 0o755);
  src = path.join(base, 'src');
  sourceTree();
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const CHANGE = 'cd /work && echo x >> mod.txt && rm del.txt && echo n > new.txt && rm -rf d && mkdir d && echo g > d/g && cat mod.txt';

describe('overlay mounts', () => {
  it('a private upper layer: the program changes anything, the source stays as it was, changes() lists it', async () => {
    mark();
    const original = tree(src);
    const c = await Container.create({ args: ['/bin/sh', '-c', CHANGE], mounts: [{ type: 'overlay', source: src, target: '/work' }] });
    const r = await c.start().output();
    expect(text(r.stdout)).toBe('modx\n');
    expect(await c.changes()).toEqual([
      { path: '/work/d', kind: 'modified' },
      { path: '/work/d/e', kind: 'deleted' },
      { path: '/work/d/g', kind: 'added' },
      { path: '/work/del.txt', kind: 'deleted' },
      { path: '/work/mod.txt', kind: 'modified' },
      { path: '/work/new.txt', kind: 'added' },
    ]);
    expect(text(await c.readFile('/work/new.txt'))).toBe('n\n');
    await c.destroy();
    expect(tree(src)).toEqual(original);
  });

  it('upperDir gets exactly the changes, owned by the container (never host root), and no work dir is left', async () => {
    mark();
    const upper = path.join(base, 'upper');
    const original = tree(src);
    const c = await Container.create({ args: ['/bin/sh', '-c', CHANGE], mounts: [{ type: 'overlay', source: src, target: '/work', upperDir: upper }] });
    await c.start().wait();
    expect((await c.changes()).map((ch) => `${ch.kind} ${ch.path}`)).toEqual([
      'modified /work/d',
      'deleted /work/d/e',
      'added /work/d/g',
      'deleted /work/del.txt',
      'modified /work/mod.txt',
      'added /work/new.txt',
    ]);
    await c.destroy();
    expect(tree(src)).toEqual(original);
    expect(tree(upper)).toEqual({ 'mod.txt': 'modx\n', 'new.txt': 'n\n', 'd/g': 'g\n' });
    // The deletion of del.txt is a whiteout (a character device 0:0).
    const wh = fs.lstatSync(path.join(upper, 'del.txt'));
    expect([wh.isCharacterDevice(), wh.rdev]).toEqual([true, 0]);
    // Container root's host id: a root caller's unprivileged range, a normal caller itself.
    const owner = fs.statSync(path.join(upper, 'new.txt')).uid;
    expect(owner).toBe(isRoot ? containerRootOnHost() : process.geteuid!());
    expect(fs.statSync(upper).uid).toBe(owner);
    expect(fs.readdirSync(base).sort()).toEqual(['src', 'upper']);
    fs.rmSync(upper, { recursive: true });
  });

  it('with an upperDir the setuid guard is on: no set-user-ID file can land on the host', async () => {
    mark();
    const upper = path.join(base, 'upper-suid');
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'cp /work/bin/tool /work/bin/t2 && chmod 4755 /work/bin/t2; echo $?'],
      mounts: [{ type: 'overlay', source: src, target: '/work', upperDir: upper }],
    });
    expect(text(r.stdout)).toMatch(/^1\n$/);
    expect(fs.statSync(path.join(upper, 'bin', 't2')).mode & 0o6000).toBe(0);
    fs.rmSync(upper, { recursive: true });
  });

  // Role-specific, registered only for their role: not a skip where the other runs.
  if (isRoot) {
    it('writableRoot: / is writable and throwaway; changes() lists what the program did', async () => {
      mark();
      const c = await Container.create({
        args: ['/bin/sh', '-c', 'echo hi > /etc/nsjail-ts-new && echo h >> /etc/hostname && mkdir /nsjail-ts-dir && touch /nsjail-ts-dir/x && echo ok'],
        writableRoot: true,
      });
      expect(text((await c.start().output()).stdout)).toBe('ok\n');
      expect(await c.changes()).toEqual([
        { path: '/etc/hostname', kind: 'modified' },
        { path: '/etc/nsjail-ts-new', kind: 'added' },
        { path: '/nsjail-ts-dir', kind: 'added' },
        { path: '/nsjail-ts-dir/x', kind: 'added' },
      ]);
      await c.destroy();
      expect(fs.existsSync('/etc/nsjail-ts-new') || fs.existsSync('/nsjail-ts-dir')).toBe(false);
      expect(fs.readFileSync('/etc/hostname', 'utf8')).not.toMatch(/h\n$/);
    });
  }

  if (!isRoot) {
    it('writableRoot for a normal caller is a ConfigError that says why', async () => {
      await expect(Container.run({ args: ['/bin/true'], writableRoot: true })).rejects.toMatchObject({ field: 'writableRoot', message: expect.stringMatching(/root caller.*locked/) });
    });
  }

  it('bad overlays are ConfigErrors naming the field; nothing is made on the host', async () => {
    mark();
    const bad = (mount: object, field: string, msg: RegExp) =>
      expect(Container.run({ args: ['/bin/true'], mounts: [mount] } as never)).rejects.toMatchObject({ name: 'ConfigError', field, message: expect.stringMatching(msg) });
    await bad({ type: 'overlay', source: path.join(base, 'missing'), target: '/w' }, 'mounts[0].source', /not a directory/);
    await bad({ type: 'overlay', source: 'rel', target: '/w' }, 'mounts[0].source', /absolute/);
    await bad({ type: 'overlay', source: src, target: '/w', upperDir: path.join(src, 'up') }, 'mounts[0].upperDir', /outside the source/);
    await bad({ type: 'overlay', source: src, target: '/w', upperDir: path.join(base, 'no/such/up') }, 'mounts[0].upperDir', /parent directory does not exist/);
    await bad({ type: 'overlay', source: src, target: '/w', upperDir: src.replace(/src$/, '') }, 'mounts[0].upperDir', /outside the source/);
    await expect(
      Container.run({ args: ['/bin/true'], mounts: [{ type: 'tmpfs', target: '/w' }, { type: 'overlay', source: src, target: '/w/' }] }),
    ).rejects.toMatchObject({ field: 'mounts[1].target', message: expect.stringMatching(/also the target of mounts\[0\]/) });
    await expect(Container.run({ args: ['/bin/true'], writableRoot: true, rootfs: src })).rejects.toBeInstanceOf(ConfigError);
    expect(fs.readdirSync(base).sort()).toEqual(['src']);
  });
});
