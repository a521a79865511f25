/**
 * The bootstrap codec generated from the schema (src-native/protocol/bootstrap.h):
 * random valid messages encode and decode to themselves; random and mutated bytes never
 * crash the decoder (they are refused, or decode to something it can encode again);
 * every TypeScript mirror of a native table equals the native one.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BootFlag, MountFlag, MountKind, StageId, type BootstrapSpec } from '../../dist/native.js';
import { Namespaces, type NamespaceType } from '../../dist/index.js';

const require = createRequire(import.meta.url);
const native = require('../../build/Release/nsjail_ts.node');

/** A small deterministic generator (mulberry32), so a failure can be replayed by its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const str = (max: number, alphabet = 'abcdefghijklmnopqrstuvwxyz/._-=éü🦀 ') => {
    const chars = [...alphabet];
    return Array.from({ length: int(max) }, () => chars[int(chars.length)]).join('');
  };
  const u32 = () => int(2 ** 32);
  const u64 = () => (next() < 0.1 ? -1 : int(2 ** 53));
  const pick = <T,>(xs: readonly T[]) => xs[int(xs.length)];
  const list = <T,>(max: number, f: () => T) => Array.from({ length: int(max) }, f);
  return { next, int, str, u32, u64, pick, list };
}

const PROC_NAMES = ['user', 'mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup', 'time'];

/** A random spec with every field of the schema, in the shape decodeBootstrap gives back. */
function randomSpec(seed: number): BootstrapSpec {
  const r = rng(seed);
  const nsList = () => {
    const types = PROC_NAMES.filter(() => r.next() < 0.3);
    return types.map((type) => ({ type, path: `/proc/${1 + r.int(99999)}/ns/${type}` }));
  };
  // A long string now and then, to cross the one-attribute limit.
  const arg = () => (r.next() < 0.05 ? 'L'.repeat(65531 + r.int(70000)) : r.str(40));
  return {
    cloneFlags: r.u32(),
    nsPaths: nsList(),
    nestedPaths: nsList(),
    uidMap: r.str(30),
    gidMap: r.str(30),
    setgroups: r.next() < 0.5,
    oomScoreAdj: r.str(5, '-0123456789'),
    rootlessEuid: r.next() < 0.5,
    uidMapPath: r.str(20),
    gidMapPath: r.str(20),
    args: [r.str(20) || '/bin/true', ...r.list(5, arg)],
    env: r.list(6, () => `${r.str(8, 'ABC_')}=${arg()}`),
    cwd: `/${r.str(20)}`,
    hostname: r.str(20),
    uid: r.u32(),
    gid: r.u32(),
    groups: r.list(5, r.u32),
    mounts: r.list(5, () => ({
      kind: r.pick(Object.values(MountKind)),
      source: r.str(30),
      target: `/${r.str(30)}`,
      data: r.str(30),
      flags: r.u32(),
      mode: r.int(0o10000),
      size: r.u64(),
      offset: r.u64(),
      workdir: r.str(30),
    })),
    rlimits: r.list(4, () => ({ resource: r.int(16), soft: r.u64(), hard: r.u64() })),
    caps: [...new Set(r.list(6, () => r.int(64)))].sort((a, b) => a - b),
    noNewPrivs: r.next() < 0.5,
    seccomp: r.next() < 0.5 ? null : Buffer.from(Array.from({ length: 8 * (1 + r.int(8)) }, () => r.int(256))),
    flags: r.u32(),
    extraFds: r.int(100),
    logLevel: r.int(2),
    pdeathsig: r.int(65),
    signal: r.int(65),
    terminalSize: r.u32(),
    cgroupTasks: r.list(3, () => `/sys/fs/cgroup/${r.str(20)}/tasks`),
    cgroupDir: `/sys/fs/cgroup/${r.str(30)}`,
    outputs: r.list(3, () => `/${r.str(20)}`),
  };
}

describe('the generated bootstrap codec', () => {
  it('round-trips random valid messages (every field of the schema)', () => {
    const tried = 400;
    for (let seed = 1; seed <= tried; seed++) {
      const spec = randomSpec(seed);
      const back = native.decodeBootstrap(native.encodeBootstrap(spec));
      expect(back, `seed ${seed}`).toEqual(spec);
    }
    // The spec covers the schema: a field added to the table without a generator fails here.
    expect(Object.keys(randomSpec(1)).sort()).toEqual([...native.constants.bootstrapFields].sort());
  });

  it('never crashes on random bytes or mutated messages: each is refused with a reason, or decodes whole', () => {
    const r = rng(7);
    const count = { tried: 0, refused: 0 };
    const attempt = (buf: Buffer) => {
      count.tried++;
      let decoded: BootstrapSpec;
      try {
        decoded = native.decodeBootstrap(buf);
      } catch (e) {
        expect((e as Error).message).toMatch(/^bootstrap rejected: \S/);
        count.refused++;
        return;
      }
      // A payload byte changed (a letter of a path, a flag): still a whole message.
      expect(decoded.args.length).toBeGreaterThan(0);
    };
    for (let i = 0; i < 3000; i++) attempt(Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256))));
    // Random bytes are never a message (the header's length and type must both match).
    expect(count.refused).toBe(3000);
    for (let i = 0; i < 3000; i++) {
      const bad = Buffer.from(native.encodeBootstrap(randomSpec(1000 + (i % 50))) as Buffer);
      for (let k = 0; k < 1 + r.int(4); k++) bad[r.int(bad.length)] = r.int(256);
      attempt(r.next() < 0.3 ? bad.subarray(0, r.int(bad.length)) : bad);
    }
    console.log(`bootstrap decoder: ${count.tried} hostile inputs tried, ${count.refused} refused, ${count.tried - count.refused} decoded whole`);
    expect(count.tried).toBe(6000);
    expect(count.refused).toBeGreaterThan(3000);
  });
});

describe('TypeScript takes the protocol tables from the addon', () => {
  it('mount kinds and flags, boot flags and stages equal the native ones', () => {
    expect(MountKind).toEqual(native.constants.mountKind);
    expect(MountFlag).toEqual(native.constants.mountFlag);
    expect(BootFlag).toEqual(native.constants.bootFlag);
    expect(StageId).toEqual(native.constants.stage);
  });

  it('the namespace table: types, /proc names and clone flags', () => {
    const all = Namespaces.all();
    for (const n of native.constants.namespaces as Array<{ type: NamespaceType; proc: string; cloneFlag: number }>) {
      expect(Namespaces.procName(n.type)).toBe(n.proc);
      expect(new Namespaces([n.type]).cloneFlags()).toBe(n.cloneFlag);
      if (n.type !== 'time') expect(all.contains(n.type)).toBe(true);
    }
  });
});
