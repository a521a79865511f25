/**
 * The bootstrap message (INIT_MSG) and the runtime reports, through the real C++
 * encoder and decoder the init program uses.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const native = require('../../build/Release/nsjail_ts.node');

const INIT_MSG = 62000;

function base(extra: Record<string, unknown> = {}) {
  return { cloneFlags: 0x7e020000, args: ['/bin/sh', '-c', 'echo hi'], env: ['PATH=/bin'], cwd: '/', mounts: [], flags: 0, ...extra };
}

/** A raw netlink message: header, then attributes [type, payload]. */
function message(type: number, attrs: Array<[number, Buffer]>, opts: { lenDelta?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [t, payload] of attrs) {
    const len = 4 + payload.length;
    const a = Buffer.alloc((len + 3) & ~3);
    a.writeUInt16LE(len, 0);
    a.writeUInt16LE(t, 2);
    payload.copy(a, 4);
    parts.push(a);
  }
  const body = Buffer.concat(parts);
  const hdr = Buffer.alloc(16);
  hdr.writeUInt32LE(16 + body.length + (opts.lenDelta ?? 0), 0);
  hdr.writeUInt16LE(type, 4);
  return Buffer.concat([hdr, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('bootstrap message', () => {
  it('round-trips every field', () => {
    const spec = {
      cloneFlags: 0x7e020080,
      nsPaths: [
        { type: 'user', path: '/proc/10/ns/user' },
        { type: 'net', path: '/proc/10/ns/net' },
      ],
      nestedPaths: [
        { type: 'user', path: '/proc/self/fd/12' },
        { type: 'mnt', path: '/proc/self/fd/13' },
      ],
      uidMap: '0 1000 1\n1 100000 65536\n',
      gidMap: '0 1000 1\n',
      uidMapPath: '/usr/bin/newuidmap',
      gidMapPath: '/usr/bin/newgidmap',
      setgroups: true,
      oomScoreAdj: '500',
      rootlessEuid: true,
      pdeathsig: 9,
      args: ['/bin/sh', '-c', 'échø "ü" 🦀', ''],
      env: ['PATH=/usr/bin:/bin', 'EMPTY='],
      cwd: '/work',
      hostname: 'box',
      uid: 1000,
      gid: 100,
      groups: [10, 20],
      mounts: [
        { kind: 1, source: '', target: '/', data: '', flags: 0, mode: 0, size: 0, offset: 0, workdir: '' },
        { kind: 3, source: '/src', target: '/dst', data: '', flags: 3, mode: 0, size: 0, offset: 0, workdir: '' },
        { kind: 4, source: '', target: '/tmp', data: 'nr_inodes=100', flags: 12, mode: 0o1777, size: 1 << 30, offset: 0, workdir: '' },
        { kind: 12, source: '', target: '/app/x', data: '', flags: 0, mode: 0o755, size: 10, offset: 4096, workdir: '' },
        { kind: 13, source: '/src', target: '/w', data: '/up', flags: 4, mode: 0, size: 0, offset: 0, workdir: '/.up.work' },
      ],
      rlimits: [
        { resource: 7, soft: 64, hard: 1024 },
        { resource: 4, soft: -1, hard: -1 },
      ],
      caps: [0, 10, 40],
      noNewPrivs: false,
      seccomp: Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]),
      flags: 7,
      extraFds: 2,
      logLevel: 1,
      signal: 15,
      terminalSize: (132 << 16) | 43,
      cgroupTasks: ['/sys/fs/cgroup/memory/a/nsjail-ts-1/tasks', '/sys/fs/cgroup/pids/nsjail-ts-1/tasks'],
      cgroupDir: '/sys/fs/cgroup/unified/nsjail-ts-1',
      outputs: ['/app/out.txt', '/app/results'],
    };
    // The spec names every field of the schema (and nothing else).
    expect(Object.keys(spec).sort()).toEqual([...native.constants.bootstrapFields].sort());
    const buf: Buffer = native.encodeBootstrap(spec);
    expect(buf.readUInt32LE(0)).toBe(buf.length);
    expect(buf.readUInt16LE(4)).toBe(INIT_MSG);
    expect(native.decodeBootstrap(buf)).toEqual(spec);
  });

  it('applies defaults for a minimal spec', () => {
    const out = native.decodeBootstrap(native.encodeBootstrap(base()));
    expect(out).toMatchObject({ cwd: '/', uid: 0, gid: 0, noNewPrivs: true, pdeathsig: 9, seccomp: null, nsPaths: [] });
  });

  it('refuses an attribute that does not fit its 16-bit length, instead of truncating it (CVE-2021-43784)', () => {
    // A mount operation is one nested attribute: its fields cannot be split.
    expect(() => native.encodeBootstrap(base({ mounts: [{ kind: 3, source: '/a', target: `/${'x'.repeat(70000)}` }] }))).toThrow(/refused.*65535/);
  });

  it('carries strings longer than one attribute in continuations, whole (the kernel takes 128 KiB per argument)', () => {
    const long = Array.from({ length: 131071 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const out = native.decodeBootstrap(native.encodeBootstrap(base({ args: ['/bin/echo', long, 'after'], env: ['A=' + long.slice(0, 70000)], uidMap: '0 0 1\n'.repeat(20000) })));
    expect(out.args).toEqual(['/bin/echo', long, 'after']);
    expect(out.env).toEqual(['A=' + long.slice(0, 70000)]);
    expect(out.uidMap).toBe('0 0 1\n'.repeat(20000));
    // Exactly at one attribute's limit, and one past it.
    for (const n of [65530, 65531])
      expect(native.decodeBootstrap(native.encodeBootstrap(base({ args: ['/bin/echo', 'y'.repeat(n)] }))).args[1]).toHaveLength(n);
  });

  it('carries a large environment as many attributes', () => {
    const env = Array.from({ length: 5000 }, (_, i) => `VAR_${i}=${'v'.repeat(200)}`);
    const out = native.decodeBootstrap(native.encodeBootstrap(base({ env })));
    expect(out.env).toEqual(env);
  });

  it('refuses strings with NUL bytes and namespace paths with commas', () => {
    expect(() => native.encodeBootstrap(base({ args: ['/bin/sh', 'a\0b'] }))).toThrow(/NUL/);
    expect(() => native.encodeBootstrap(base({ nsPaths: [{ type: 'net', path: '/a,b' }] }))).toThrow(/comma/);
    expect(() => native.encodeBootstrap(base({ nsPaths: [{ type: 'bogus', path: '/a' }] }))).toThrow(/unknown namespace type/);
  });

  it('checks JS field types and names the field', () => {
    expect(() => native.encodeBootstrap(base({ uid: -1 }))).toThrow(/bootstrap\.uid/);
    expect(() => native.encodeBootstrap(base({ args: ['/bin/sh', 3] }))).toThrow(/args\[1\]/);
    expect(() => native.encodeBootstrap(base({ mounts: [{ kind: 3, target: 5 }] }))).toThrow(/mounts\[0\]\.target/);
    expect(() => native.encodeBootstrap(base({ caps: [64] }))).toThrow(/caps\[0\]/);
  });
});

describe('hostile bootstrap messages', () => {
  const ARG = 27300;
  const good = (): Array<[number, Buffer]> => [[ARG, cstr('/bin/true')]];

  it('accepts a hand-built minimal message', () => {
    expect(native.decodeBootstrap(message(INIT_MSG, good())).args).toEqual(['/bin/true']);
  });

  it('rejects an unknown attribute', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27398, u32(1)]]))).toThrow(/unknown attribute 27398/);
  });

  it('rejects a string continuation that does not follow a string', () => {
    const CONT = 27399;
    expect(() => native.decodeBootstrap(message(INIT_MSG, [[CONT, cstr('x')], ...good()]))).toThrow(/continuation that follows no string/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27281, u32(0)], [CONT, cstr('x')]]))).toThrow(/continuation/);
    expect(native.decodeBootstrap(message(INIT_MSG, [...good(), [CONT, cstr('-more')]])).args).toEqual(['/bin/true-more']);
  });

  it('rejects an attribute length past the buffer', () => {
    const m = message(INIT_MSG, good());
    m.writeUInt16LE(200, 16); // the first attribute claims 200 bytes
    expect(() => native.decodeBootstrap(m)).toThrow(/runs past the buffer/);
  });

  it('rejects an attribute length shorter than its header', () => {
    const m = message(INIT_MSG, good());
    m.writeUInt16LE(2, 16);
    expect(() => native.decodeBootstrap(m)).toThrow(/runs past the buffer|length/);
  });

  it('rejects a truncated attribute header', () => {
    const m = Buffer.concat([message(INIT_MSG, good()), Buffer.from([8, 0])]);
    m.writeUInt32LE(m.length, 0);
    expect(() => native.decodeBootstrap(m)).toThrow(/truncated attribute header/);
  });

  it('rejects a header whose length disagrees with the buffer', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, good(), { lenDelta: 4 }))).toThrow(/header says/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, good(), { lenDelta: -4 }))).toThrow(/header says/);
    expect(() => native.decodeBootstrap(Buffer.alloc(8))).toThrow(/shorter than its header/);
  });

  it('rejects another message type', () => {
    expect(() => native.decodeBootstrap(message(62001, good()))).toThrow(/expected message type 62000/);
  });

  it('rejects malformed payloads', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, [[ARG, Buffer.from('no-nul')]]))).toThrow(/not a NUL-terminated string/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [[ARG, Buffer.from('a\0b\0')]]))).toThrow(/NUL byte inside/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27281, Buffer.from([1, 2])]]))).toThrow(/should hold 4 bytes/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27285, Buffer.from([7])]]))).toThrow(/not a boolean/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27311, Buffer.alloc(7)]]))).toThrow(/seccomp program/);
  });

  it('rejects a singleton attribute given twice', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27302, cstr('/')], [27302, cstr('/tmp')]]))).toThrow(/given twice/);
  });

  it('rejects a message without a program', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, [[27302, cstr('/')]]))).toThrow(/no program/);
  });

  it('rejects malformed nested mount attributes', () => {
    const nested = (inner: Array<[number, Buffer]>) => message(INIT_MSG, [...good(), [27307, message(0, inner).subarray(16)]]);
    expect(() => native.decodeBootstrap(nested([[3, cstr('/x')]]))).toThrow(/without kind or target/);
    expect(() => native.decodeBootstrap(nested([[1, u32(99)], [3, cstr('/x')]]))).toThrow(/unknown mount kind 99/);
    expect(() => native.decodeBootstrap(nested([[1, u32(3)], [3, cstr('/x')], [42, u32(0)]]))).toThrow(/mount: unknown attribute 42/);
  });

  it('rejects malformed namespace path lists', () => {
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27282, cstr('net')]]))).toThrow(/malformed namespace path/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27282, cstr('net:/a,net:/b')]]))).toThrow(/twice/);
    expect(() => native.decodeBootstrap(message(INIT_MSG, [...good(), [27282, cstr('foo:/a')]]))).toThrow(/unknown namespace type/);
  });

  it('survives random corruption without crashing', () => {
    const good = native.encodeBootstrap(base({ mounts: [{ kind: 1, target: '/' }, { kind: 4, target: '/tmp', mode: 0o777 }] })) as Buffer;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const m = Buffer.from(good);
      const flips = 1 + (i % 4);
      for (let f = 0; f < flips; f++) m[16 + ((i * 7919 + f * 104729) % (m.length - 16))] ^= 1 << ((i + f) % 8);
      try {
        native.decodeBootstrap(m);
      } catch {
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('reports', () => {
  it('decodes an error record and rejects unknown report types and attributes', () => {
    const rec = message(62012, [
      [1, u32(1)],
      [2, u32(2)],
      [3, cstr('setns')],
      [4, cstr('/proc/1/ns/net')],
      [5, cstr('namespace net')],
    ]);
    expect(native.decodeReport(rec)).toMatchObject({ stage: 'child', errno: 2, syscall: 'setns', path: '/proc/1/ns/net' });
    expect(() => native.decodeReport(message(61000, []))).toThrow(/unknown report type/);
    expect(() => native.decodeReport(message(62012, [[77, u32(0)]]))).toThrow(/unknown report attribute 77/);
  });
});
