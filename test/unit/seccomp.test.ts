// Seccomp policies: validation (src-ts/seccomp.ts), the system call table generated from
// the kernel headers, the BPF the addon emits (checked with a small interpreter against
// the policy's meaning), and the filters' behaviour in real processes
// (test/native/seccomp_probe.cc, built here with g++).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConfigError } from '../../dist/index.js';
import {
  type CompilableSeccompPolicy,
  type SeccompArgCondition,
  type SeccompArgOp,
  checkPolicyCanStart,
  compileSeccompPolicy,
  defaultSeccompPolicy,
  validateSeccompPolicy,
} from '../../dist/seccomp.js';
import { setuidGuardRules, withSetuidGuard } from '../../dist/setuid-guard.js';

const native = createRequire(import.meta.url)('../../build/Release/nsjail_ts.node') as {
  compileSeccomp(policy: unknown): Buffer;
};
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ---- Constants of the kernel ABI, written out here to check the compiler's own ----

const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_LOG = 0x7ffc0000;
const RET_ALLOW = 0x7fff0000;
const AUDIT_ARCH_I386 = 0x40000003;
const EPERM = 1;
const EBADF = 9;
const EFAULT = 14;
const ENOTTY = 25;
const EAFNOSUPPORT = 97;
const EPROTONOSUPPORT = 93;
const ENOSYS = 38;
const SIGSYS = 31;

const IS_X86_64 = process.arch === 'x64';
const ARCH = IS_X86_64 ? 'x86_64' : 'aarch64';
const AUDIT_ARCH = IS_X86_64 ? 0xc000003e : 0xc00000b7;

// A few numbers per architecture, from the kernel's tables, to check ours.
const NR: Record<string, [x86_64: number, aarch64: number]> = {
  read: [0, 63],
  ioctl: [16, 29],
  getpid: [39, 172],
  clone: [56, 220],
  getuid: [102, 174],
  getppid: [110, 173],
  personality: [135, 92],
  keyctl: [250, 219],
  unshare: [272, 97],
  clone3: [435, 435],
  socket: [41, 198],
  execve: [59, 221],
  exit: [60, 93],
  exit_group: [231, 94],
  fchmod: [91, 52],
  fchmodat: [268, 53],
  fchmodat2: [452, 452],
  mkdirat: [258, 34],
  mknodat: [259, 33],
  openat: [257, 56],
  openat2: [437, 437],
};
// The legacy calls aarch64 never had (its libc uses the *at forms).
const X86_64_ONLY: Record<string, number> = { chmod: 90, open: 2, creat: 85, mkdir: 83, mknod: 133 };
const nr = (name: string): number => NR[name]![IS_X86_64 ? 0 : 1];

const errnoRet = (e: number) => (RET_ERRNO | e) >>> 0;
const compile = (p: unknown) => native.compileSeccomp(p);

/** What `f` throws (undefined if nothing). */
function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

// ---- A classic-BPF interpreter for seccomp programs ----

interface SeccompData {
  nr: number;
  arch?: number;
  args?: bigint[];
}

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

function decode(prog: Buffer): Insn[] {
  expect(prog.length % 8).toBe(0);
  const out: Insn[] = [];
  for (let i = 0; i < prog.length; i += 8) {
    out.push({ code: prog.readUInt16LE(i), jt: prog[i + 2]!, jf: prog[i + 3]!, k: prog.readUInt32LE(i + 4) });
  }
  return out;
}

/** The checks the kernel makes before accepting a filter (those that apply to us). */
function checkLikeKernel(prog: Buffer): void {
  const insns = decode(prog);
  expect(insns.length).toBeGreaterThan(0);
  expect(insns.length).toBeLessThanOrEqual(4096);
  insns.forEach((ins, pc) => {
    const left = insns.length - pc - 1;
    switch (ins.code) {
      case 0x20: // ld [k]: aligned, within seccomp_data
        expect(ins.k % 4).toBe(0);
        expect(ins.k).toBeLessThan(64);
        break;
      case 0x54: // and #k
      case 0x06: // ret #k
        break;
      case 0x05: // ja
        expect(ins.k).toBeLessThan(left);
        break;
      case 0x15: // jeq, jgt, jge
      case 0x25:
      case 0x35:
        expect(Math.max(ins.jt, ins.jf)).toBeLessThan(left);
        break;
      default:
        throw new Error(`unexpected opcode 0x${ins.code.toString(16)} at ${pc}`);
    }
  });
  expect(insns.at(-1)!.code).toBe(0x06);
}

function word(d: SeccompData, k: number): number {
  if (k === 0) return d.nr >>> 0;
  if (k === 4) return (d.arch ?? AUDIT_ARCH) >>> 0;
  if (k >= 16 && k < 64) {
    const arg = BigInt.asUintN(64, d.args?.[(k - 16) >> 3] ?? 0n);
    return Number((k & 4 ? arg >> 32n : arg) & 0xffffffffn); // little-endian halves
  }
  throw new Error(`load of seccomp_data+${k}`);
}

function run(prog: Buffer | Insn[], d: SeccompData): number {
  const insns = Buffer.isBuffer(prog) ? decode(prog) : prog;
  let a = 0;
  for (let pc = 0; pc < insns.length; ) {
    const { code, jt, jf, k } = insns[pc]!;
    switch (code) {
      case 0x20:
        a = word(d, k);
        pc++;
        break;
      case 0x54:
        a = (a & k) >>> 0;
        pc++;
        break;
      case 0x06:
        return k;
      case 0x05:
        pc += 1 + k;
        break;
      case 0x15:
        pc += 1 + (a === k ? jt : jf);
        break;
      case 0x25:
        pc += 1 + (a > k ? jt : jf);
        break;
      case 0x35:
        pc += 1 + (a >= k ? jt : jf);
        break;
      default:
        throw new Error(`opcode 0x${code.toString(16)}`);
    }
  }
  throw new Error('ran off the end');
}

// ---- What a policy means, written plainly ----

const u64 = (v: number | bigint) => BigInt.asUintN(64, BigInt(v));

function holds(c: SeccompArgCondition, arg: bigint): boolean {
  const a = u64(arg);
  const v = u64(c.value);
  switch (c.op) {
    case 'eq':
      return a === v;
    case 'ne':
      return a !== v;
    case 'lt':
      return a < v;
    case 'le':
      return a <= v;
    case 'gt':
      return a > v;
    case 'ge':
      return a >= v;
    case 'maskedEq':
      return (a & u64(c.mask!)) === v;
  }
}

function retOf(action: string, errno: number | undefined): number {
  if (action === 'allow') return RET_ALLOW;
  if (action === 'kill') return RET_KILL_PROCESS;
  if (action === 'log') return RET_LOG;
  return errnoRet(errno ?? EPERM);
}

function meaning(p: CompilableSeccompPolicy, d: SeccompData): number {
  if ((d.arch ?? AUDIT_ARCH) !== AUDIT_ARCH) return RET_KILL_PROCESS;
  if (IS_X86_64 && d.nr >>> 0 >= 0x40000000) return errnoRet(ENOSYS);
  for (const r of p.rules) {
    if (!r.syscalls.some((s) => NR[s] && nr(s) === d.nr)) continue;
    if ((r.args ?? []).every((c) => holds(c, d.args?.[c.index] ?? 0n))) return retOf(r.action, r.errno);
  }
  return retOf(p.defaultAction, p.defaultErrno);
}

// A deterministic pseudo-random source (mulberry32).
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Values around the edges of the two 32-bit halves.
const EDGES = [
  0n, 1n, 4n, 5n, 6n, 0x5412n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, 0x100000000n, 0x100000004n,
  0x100000005n, 0x100000006n, 0x1ffffffffn, 0x200000005n, 0xffffffff00000000n, 0xffffffff00005412n,
  0xfffffffffffffffen, 0xffffffffffffffffn,
];

// ---- Validation ----

describe('validation', () => {
  const ok = { defaultAction: 'allow', rules: [] };
  const rule = { syscalls: ['getpid'], action: 'errno' };
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 42, 'seccomp must be an object'],
    ['bad defaultAction', { rules: [] }, "seccomp.defaultAction must be one of 'allow', 'errno', 'kill', 'log'"],
    ['unknown defaultAction', { ...ok, defaultAction: 'deny' }, 'seccomp.defaultAction must be one of'],
    ['errno out of range', { ...ok, defaultAction: 'errno', defaultErrno: 4096 }, 'seccomp.defaultErrno must be an integer 0..4095'],
    ['fractional errno', { ...ok, defaultAction: 'errno', defaultErrno: 1.5 }, 'seccomp.defaultErrno must be an integer 0..4095'],
    ['errno without errno action', { ...ok, defaultErrno: 1 }, "seccomp.defaultErrno is only valid with defaultAction 'errno'"],
    ['rules missing', { defaultAction: 'allow' }, 'seccomp.rules must be an array'],
    ['rule not an object', { ...ok, rules: [rule, 'x'] }, 'seccomp.rules[1] must be an object'],
    ['no syscalls', { ...ok, rules: [{ ...rule, syscalls: [] }] }, 'seccomp.rules[0].syscalls must be a non-empty array of system call names'],
    ['syscall not a string', { ...ok, rules: [rule, rule, { ...rule, syscalls: ['getpid', 7] }] }, 'seccomp.rules[2].syscalls[1] must be a string'],
    ['hole in syscalls', { ...ok, rules: [{ ...rule, syscalls: [, 'getpid'] }] }, 'seccomp.rules[0].syscalls[0] must be a string'],
    ['hole in rules', { ...ok, rules: [rule, , rule] }, 'seccomp.rules[1] must be an object'],
    ['empty syscall name', { ...ok, rules: [{ ...rule, syscalls: [''] }] }, 'seccomp.rules[0].syscalls[0] must be a non-empty string'],
    ['bad rule action', { ...ok, rules: [{ ...rule, action: 'deny' }] }, "seccomp.rules[0].action must be one of 'allow', 'errno', 'kill', 'log'"],
    ['rule errno range', { ...ok, rules: [{ ...rule, errno: -1 }] }, 'seccomp.rules[0].errno must be an integer 0..4095'],
    ['rule errno with kill', { ...ok, rules: [{ ...rule, action: 'kill', errno: 1 }] }, "seccomp.rules[0].errno is only valid with action 'errno'"],
    ['args not an array', { ...ok, rules: [{ ...rule, args: {} }] }, 'seccomp.rules[0].args must be an array'],
    ['arg not an object', { ...ok, rules: [{ ...rule, args: [null] }] }, 'seccomp.rules[0].args[0] must be an object'],
    [
      'arg index',
      { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq', value: 1 }, { index: 6, op: 'eq', value: 1 }] }] },
      'seccomp.rules[0].args[1].index must be 0..5',
    ],
    ['arg index type', { ...ok, rules: [{ ...rule, args: [{ index: '1', op: 'eq', value: 1 }] }] }, 'seccomp.rules[0].args[0].index must be 0..5'],
    [
      'arg op',
      { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'bitsSet', value: 1 }] }] },
      "seccomp.rules[0].args[0].op must be one of 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'",
    ],
    ['arg value missing', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq' }] }] }, 'seccomp.rules[0].args[0].value must be a safe integer or a bigint in -2^63..2^64-1'],
    ['arg value unsafe', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq', value: 2 ** 60 }] }] }, 'seccomp.rules[0].args[0].value must be'],
    ['arg value too big', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq', value: 2n ** 64n }] }] }, 'seccomp.rules[0].args[0].value must be'],
    ['arg value too small', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq', value: -(2n ** 63n) - 1n }] }] }, 'seccomp.rules[0].args[0].value must be'],
    ['mask missing', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'maskedEq', value: 1 }] }] }, "seccomp.rules[0].args[0].mask is required with op 'maskedEq'"],
    ['stray mask', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'eq', value: 1, mask: 1 }] }] }, "seccomp.rules[0].args[0].mask is only valid with op 'maskedEq'"],
    ['bad mask', { ...ok, rules: [{ ...rule, args: [{ index: 0, op: 'maskedEq', value: 1, mask: 'x' }] }] }, 'seccomp.rules[0].args[0].mask must be'],
    ['ignoreUnknown type', { ...ok, ignoreUnknown: 1 }, 'seccomp.ignoreUnknown must be a boolean'],
  ];

  it.each(cases)('rejects: %s', (_name, policy, message) => {
    const error = errorOf(() => validateSeccompPolicy(policy));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect(message.startsWith((error as ConfigError).field)).toBe(true);
  });

  it('names the field under the given root', () => {
    expect(() => validateSeccompPolicy({ defaultAction: 'nope', rules: [] }, 'options.seccomp')).toThrow(
      "options.seccomp.defaultAction must be one of 'allow', 'errno', 'kill', 'log'",
    );
  });

  it('returns a copy that keeps every valid field', () => {
    const input = {
      defaultAction: 'errno',
      defaultErrno: 13,
      ignoreUnknown: true,
      rules: [
        { syscalls: ['getpid'], action: 'errno', errno: 0, args: [{ index: 5, op: 'maskedEq', value: -1, mask: 2n ** 64n - 1n }] },
        { syscalls: ['getppid'], action: 'log' },
      ],
    };
    const out = validateSeccompPolicy(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.rules[0]!.syscalls).not.toBe(input.rules[0]!.syscalls);
  });

  it('refuses unknown system calls, naming them and the architecture', () => {
    const p = {
      defaultAction: 'allow',
      rules: [
        { syscalls: ['getpid'], action: 'kill' },
        { syscalls: ['getppid'], action: 'kill' },
        { syscalls: ['foo', 'getpid'], action: 'kill' },
      ],
    };
    expect(() => compile(p)).toThrow(`seccomp.rules[2].syscalls[0]: unknown system call 'foo' on ${ARCH}`);
    // What callers get: a ConfigError naming the field.
    const error = errorOf(() => compileSeccompPolicy(validateSeccompPolicy(p)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'seccomp.rules[2].syscalls[0]', message: `seccomp.rules[2].syscalls[0] unknown system call 'foo' on ${ARCH}` });
    // Names that exist on another architecture only are unknown too; the message says where they exist.
    const elsewhere = IS_X86_64 ? [] : ['open', 'iopl'];
    for (const name of elsewhere) {
      expect(() => compile({ defaultAction: 'allow', rules: [{ syscalls: [name], action: 'kill' }] })).toThrow(
        `unknown system call '${name}' on ${ARCH}`,
      );
    }
  });

  it('skips unknown names with ignoreUnknown', () => {
    const base = { defaultAction: 'allow', rules: [{ syscalls: ['getpid'], action: 'kill' }] };
    const withUnknown = {
      ...base,
      ignoreUnknown: true,
      rules: [{ syscalls: ['foo'], action: 'errno' }, { syscalls: ['getpid', 'bar'], action: 'kill' }],
    };
    expect(compile(withUnknown).equals(compile(base))).toBe(true);
  });

  it('accepts every action, errno 0 and 4095, negative and bigint values', () => {
    for (const action of ['allow', 'errno', 'kill', 'log']) {
      expect(compile({ defaultAction: action, rules: [{ syscalls: ['getpid'], action: 'allow' }] }).length).toBeGreaterThan(0);
    }
    const p = {
      defaultAction: 'errno',
      defaultErrno: 4095,
      rules: [
        {
          syscalls: ['getpid'],
          action: 'errno',
          errno: 0,
          args: [
            { index: 0, op: 'eq', value: -100 },
            { index: 1, op: 'lt', value: 2n ** 64n - 1n },
          ],
        },
      ],
    };
    expect(validateSeccompPolicy(p)).toEqual(p);
    const prog = compile(p);
    checkLikeKernel(prog);
    expect(run(prog, { nr: nr('getppid') })).toBe(errnoRet(4095));
    expect(run(prog, { nr: nr('getpid'), args: [-100n, 7n] })).toBe(errnoRet(0));
    expect(run(prog, { nr: nr('getpid'), args: [0xffffff9cn, 7n] })).toBe(errnoRet(4095));
  });

  it('refuses programs over the 4096-instruction limit, saying so', () => {
    const rules = Array.from({ length: 1100 }, (_, i) => ({
      syscalls: ['getpid'],
      action: 'errno',
      args: [{ index: 0, op: 'eq', value: i + 2 ** 32 }],
    }));
    expect(() => compile({ defaultAction: 'allow', rules })).toThrow(
      /^seccomp: the policy compiles to \d+ BPF instructions, more than the kernel's limit of 4096/,
    );
    const error = errorOf(() => compileSeccompPolicy({ defaultAction: 'allow', rules } as CompilableSeccompPolicy));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'seccomp' });
  });
});

// ---- The compiler trusts validated policies, but builds nothing from anything else ----

describe('the compiler, given what validation would refuse', () => {
  const getpid = (more: object) => ({ defaultAction: 'allow', rules: [{ syscalls: ['getpid'], action: 'errno', ...more }] });
  const arg = (c: object) => getpid({ args: [c] });

  it.each<[string, unknown, string]>([
    ['an argument index past args[5]', arg({ index: 6, op: 'eq', value: 1 }), 'argument index 6'],
    ['a negative argument index', arg({ index: -1, op: 'eq', value: 1 }), 'argument index -1'],
    ['an errno that would spill into the action bits', getpid({ errno: 0x10000 }), 'errno 65536'],
    ['an unknown action', { defaultAction: 'deny', rules: [] }, "defaultAction 'deny'"],
    ['an unknown operator', arg({ index: 0, op: 'bitsSet', value: 1 }), "op 'bitsSet'"],
    ['a number beyond 64 bits', arg({ index: 0, op: 'eq', value: 2 ** 64 }), 'a value beyond 64 bits'],
    ['a fractional number', arg({ index: 0, op: 'eq', value: 1.5 }), 'a value beyond 64 bits'],
    ['a bigint beyond 64 bits', arg({ index: 0, op: 'maskedEq', value: 1, mask: 2n ** 64n }), 'a bigint beyond 64 bits'],
  ])('refuses %s, as a caller\'s bug rather than a ConfigError', (_name, policy, detail) => {
    expect(() => compile(policy)).toThrow(`compileSeccomp takes a policy from validateSeccompPolicy: ${detail}`);
    const error = errorOf(() => compileSeccompPolicy(policy as CompilableSeccompPolicy));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ConfigError);
    // Validation refuses each of them first, naming the field.
    expect(() => validateSeccompPolicy(policy)).toThrow(ConfigError);
  });

  it('refuses values of the wrong type with an error, not a crash or a program', () => {
    for (const policy of [
      {},
      { defaultAction: 'allow' },
      { defaultAction: 'allow', rules: {} },
      { defaultAction: 'allow', rules: [, getpid({}).rules[0]] },
      { defaultAction: 'allow', rules: [{ syscalls: [7], action: 'allow' }] },
      { defaultAction: 'allow', rules: [{ syscalls: 'getpid', action: 'allow' }] },
      getpid({ errno: '1' }),
      arg({ index: '1', op: 'eq', value: 1 }),
      arg({ index: 0, op: 'maskedEq', value: 1 }),
    ]) {
      expect(() => compile(policy), JSON.stringify(policy)).toThrow();
    }
  });
});

// ---- The emitted program ----

describe('compiled program', () => {
  it('starts with the architecture check, then (x86_64) the x32 check', () => {
    const insns = decode(compile({ defaultAction: 'allow', rules: [] }));
    expect(insns[0]).toEqual({ code: 0x20, jt: 0, jf: 0, k: 4 }); // ld [arch]
    expect(insns[1]).toMatchObject({ code: 0x15, k: AUDIT_ARCH, jt: 0 }); // jeq AUDIT_ARCH
    expect(insns[2 + insns[1]!.jf]).toEqual({ code: 0x06, jt: 0, jf: 0, k: RET_KILL_PROCESS });
    expect(insns[2]).toEqual({ code: 0x20, jt: 0, jf: 0, k: 0 }); // ld [nr]
    if (IS_X86_64) expect(insns[3]).toMatchObject({ code: 0x35, k: 0x40000000 }); // jge x32 bit
  });

  it('kills calls of another architecture and refuses x32', () => {
    const prog = compile({ defaultAction: 'allow', rules: [{ syscalls: ['getpid'], action: 'allow' }] });
    expect(run(prog, { nr: nr('getpid') })).toBe(RET_ALLOW);
    expect(run(prog, { nr: 20, arch: AUDIT_ARCH_I386 })).toBe(RET_KILL_PROCESS);
    expect(run(prog, { nr: nr('getpid'), arch: IS_X86_64 ? 0xc00000b7 : 0xc000003e })).toBe(RET_KILL_PROCESS);
    if (IS_X86_64) {
      expect(run(prog, { nr: 0x40000000 | nr('getpid') })).toBe(errnoRet(ENOSYS));
      expect(run(prog, { nr: 0xffffffff })).toBe(errnoRet(ENOSYS));
    }
  });

  it('defaults errno actions to EPERM', () => {
    const prog = compile({ defaultAction: 'errno', rules: [{ syscalls: ['getpid'], action: 'errno', errno: 3 }, { syscalls: ['getppid'], action: 'errno' }] });
    expect(run(prog, { nr: nr('getuid') })).toBe(errnoRet(EPERM));
    expect(run(prog, { nr: nr('getpid') })).toBe(errnoRet(3));
    expect(run(prog, { nr: nr('getppid') })).toBe(errnoRet(EPERM));
  });

  it('matches the policy meaning on random policies and inputs', () => {
    const rand = rng(0x5ecc0);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const names = Object.keys(NR);
    const actions = ['allow', 'errno', 'kill', 'log'] as const;
    const ops: SeccompArgOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'];
    const masks = [0n, 0xffn, 0xffffffffn, 0xffffffff00000000n, 0x10000000n, 0xf0000000fn, 0xffffffffffffffffn];
    const value = () => (rand() < 0.8 ? pick(EDGES) : BigInt.asUintN(64, BigInt(Math.floor(rand() * 2 ** 32)) << BigInt(Math.floor(rand() * 33))));
    let checked = 0;
    for (let n = 0; n < 300; n++) {
      const policy: CompilableSeccompPolicy = {
        defaultAction: pick(actions),
        rules: Array.from({ length: Math.floor(rand() * 8) }, () => {
          const action = pick(actions);
          return {
            syscalls: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(names)),
            action,
            ...(action === 'errno' && rand() < 0.7 ? { errno: Math.floor(rand() * 4096) } : {}),
            ...(rand() < 0.7
              ? {
                  args: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
                    const op = pick(ops);
                    const c: SeccompArgCondition = { index: Math.floor(rand() * 6), op, value: value() };
                    if (op === 'maskedEq') {
                      c.mask = pick(masks);
                      if (rand() < 0.8) c.value = u64(c.value) & c.mask; // mostly satisfiable
                    }
                    return c;
                  }),
                }
              : {}),
          };
        }),
      };
      if (policy.defaultAction === 'errno' && rand() < 0.5) policy.defaultErrno = Math.floor(rand() * 4096);
      const prog = compile(policy);
      checkLikeKernel(prog);
      const insns = decode(prog);
      for (let i = 0; i < 100; i++) {
        const d: SeccompData = {
          nr: rand() < 0.9 ? nr(pick(names)) : pick([1000, 0x40000000 | nr('getpid'), 0xffffffff]),
          args: Array.from({ length: 6 }, () => (rand() < 0.5 ? pick(EDGES) : value())),
        };
        if (rand() < 0.05) d.arch = AUDIT_ARCH_I386;
        // Often set an argument just around a condition's value, where mistakes show.
        const conds = policy.rules.flatMap((r) => r.args ?? []);
        if (conds.length && rand() < 0.7) {
          const c = pick(conds);
          d.args![c.index] = BigInt.asUintN(64, u64(c.value) + BigInt(pick([-1, 0, 1])));
        }
        expect(run(insns, d), JSON.stringify({ policy, d }, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).toBe(
          meaning(policy, d),
        );
        checked++;
      }
    }
    expect(checked).toBe(30000);
  });

  it('reaches far targets through bridges (jumps beyond 255 instructions)', () => {
    const rules = [
      ...Array.from({ length: 200 }, (_, i) => ({
        syscalls: ['getpid', 'getuid'],
        action: 'errno' as const,
        errno: 100 + i,
        args: [{ index: 0, op: 'eq' as const, value: BigInt(i) << 32n }],
      })),
      ...Array.from({ length: 100 }, (_, i) => ({
        syscalls: ['getppid'],
        action: 'errno' as const,
        errno: 1000 + i,
        args: [{ index: 1, op: 'ge' as const, value: 1000 - i }],
      })),
    ];
    const policy: CompilableSeccompPolicy = { defaultAction: 'allow', rules };
    const prog = compile(policy);
    checkLikeKernel(prog);
    const insns = decode(prog);
    expect(insns.length).toBeGreaterThan(1000);
    expect(insns.some((i) => i.code === 0x05)).toBe(true); // a long jump was needed
    for (const d of [
      { nr: nr('getpid'), args: [0n] },
      { nr: nr('getuid'), args: [199n << 32n] },
      { nr: nr('getpid'), args: [(150n << 32n) + 1n] },
      { nr: nr('getppid'), args: [0n, 1000n] },
      { nr: nr('getppid'), args: [0n, 901n] },
      { nr: nr('getppid'), args: [0n, 900n] },
      { nr: nr('read') },
    ]) {
      expect(run(insns, d)).toBe(meaning(policy, d));
    }
  });

  it('compiles the default policy, whose every name exists on x86_64', () => {
    const prog = compile(defaultSeccompPolicy);
    checkLikeKernel(prog);
    expect(prog.length / 8).toBeLessThan(200);
    // Without ignoreUnknown (x86_64 has every name the default policy uses): no typos.
    if (IS_X86_64) expect(compile({ ...defaultSeccompPolicy, ignoreUnknown: false }).equals(prog)).toBe(true);
    expect(validateSeccompPolicy(defaultSeccompPolicy)).toEqual(defaultSeccompPolicy);
    expect(Object.isFrozen(defaultSeccompPolicy.rules[0]!.syscalls)).toBe(true);
  });

  it('gives the default policy its documented meaning', () => {
    const prog = decode(compile(defaultSeccompPolicy));
    const at = (name: string, ...args: bigint[]) => run(prog, { nr: nr(name), args });
    expect(at('getpid')).toBe(RET_ALLOW);
    expect(at('keyctl')).toBe(errnoRet(EPERM));
    expect(at('clone3')).toBe(errnoRet(ENOSYS));
    expect(at('unshare', 0x10000000n)).toBe(errnoRet(EPERM));
    expect(at('unshare', 0x10020000n)).toBe(errnoRet(EPERM));
    expect(at('unshare', 0x20000n)).toBe(RET_ALLOW);
    expect(at('clone', 0x10000011n)).toBe(errnoRet(EPERM));
    expect(at('clone', 0x01200011n)).toBe(RET_ALLOW);
    expect(at('ioctl', 1n, 0x5412n)).toBe(errnoRet(EPERM));
    expect(at('ioctl', 1n, 0x541cn)).toBe(errnoRet(EPERM));
    expect(at('ioctl', 1n, 0xffffffff00005412n)).toBe(errnoRet(EPERM));
    expect(at('ioctl', 1n, 0x5413n)).toBe(RET_ALLOW);
    for (const p of [0n, 8n, 0x20000n, 0x20008n, 0xffffffffn, 0x100000008n]) expect(at('personality', p)).toBe(RET_ALLOW);
    for (const p of [0x40000n, 0x400000n, 1n]) expect(at('personality', p)).toBe(errnoRet(EPERM));
    // vsock: refused whatever the type; the kernel reads the family as an int.
    for (const family of [40n, 0xffffffff00000028n]) expect(at('socket', family, 1n, 0n)).toBe(errnoRet(EAFNOSUPPORT));
    expect(at('socket', 40n, 0x80005n, 0n)).toBe(errnoRet(EAFNOSUPPORT));
    // Audit netlink only: other netlink protocols (route: 0) stay.
    for (const type of [3n, 2n, 0x80003n]) expect(at('socket', 16n, type, 9n)).toBe(errnoRet(EPROTONOSUPPORT));
    expect(at('socket', 16n, 3n, 0xffffffff00000009n)).toBe(errnoRet(EPROTONOSUPPORT));
    expect(at('socket', 0x100000010n, 3n, 9n)).toBe(errnoRet(EPROTONOSUPPORT));
    for (const [family, protocol] of [[16n, 0n], [16n, 15n], [2n, 9n], [1n, 0n], [10n, 0n], [41n, 0n], [0x10n << 8n, 9n]])
      expect(at('socket', family, 3n, protocol), `${family} ${protocol}`).toBe(RET_ALLOW);
  });
});

// ---- Policies the main process can never start under ----

describe('a policy must let the program start', () => {
  const must = /^seccomp must allow (execve|exit_group|exit) unconditionally \(the filter is installed right before execve/;
  const start = (policy: unknown) => () => checkPolicyCanStart(validateSeccompPolicy(policy));
  const allowAll = { syscalls: ['execve', 'exit_group', 'exit'], action: 'allow' };

  it.each<[string, unknown, RegExp]>([
    ['deny by default, nothing allowed', { defaultAction: 'errno', rules: [] }, /execve .*defaultAction 'errno' denies it and no rule allows it/],
    ['kill by default, execve only', { defaultAction: 'kill', rules: [{ syscalls: ['execve'], action: 'allow' }] }, /exit_group .*defaultAction 'kill'/],
    ['execve denied by a rule', { defaultAction: 'allow', rules: [{ syscalls: ['execve'], action: 'errno' }] }, /execve .*rules\[0\] denies it/],
    ['exit killed by a rule', { defaultAction: 'allow', rules: [{ syscalls: ['getpid', 'exit'], action: 'kill' }] }, /exit .*rules\[0\] denies it/],
    [
      'a conditional denial before the allowing rule',
      { defaultAction: 'errno', rules: [{ syscalls: ['execve'], action: 'errno', args: [{ index: 1, op: 'eq', value: 0 }] }, allowAll] },
      /execve .*rules\[0\] may deny it/,
    ],
    [
      'only a conditional allow',
      { defaultAction: 'errno', rules: [{ syscalls: ['execve', 'exit_group', 'exit'], action: 'allow', args: [{ index: 0, op: 'ne', value: 0 }] }] },
      /execve .*defaultAction 'errno' denies it/,
    ],
    ['an allow after the deny', { defaultAction: 'allow', rules: [{ syscalls: ['exit_group'], action: 'errno' }, allowAll] }, /exit_group .*rules\[0\] denies it/],
  ])('refuses: %s', (_name, policy, detail) => {
    expect(start(policy)).toThrow(ConfigError);
    expect(start(policy)).toThrow(must);
    expect(start(policy)).toThrow(detail);
  });

  it.each<[string, unknown]>([
    ['allow by default', { defaultAction: 'allow', rules: [] }],
    ['log by default', { defaultAction: 'log', rules: [{ syscalls: ['getpid'], action: 'errno' }] }],
    ['deny by default, the three allowed', { defaultAction: 'errno', rules: [allowAll] }],
    ['kill by default, logged', { defaultAction: 'kill', rules: [{ syscalls: ['exit', 'exit_group', 'execve', 'read'], action: 'log' }] }],
    [
      'a conditional allow first, the unconditional one after',
      { defaultAction: 'errno', rules: [{ syscalls: ['execve'], action: 'allow', args: [{ index: 0, op: 'eq', value: 1 }] }, allowAll] },
    ],
    ['execveat denied (only execve is used)', { defaultAction: 'allow', rules: [{ syscalls: ['execveat'], action: 'errno' }] }],
    ['the default policy', defaultSeccompPolicy],
  ])('accepts: %s', (_name, policy) => {
    expect(start(policy)).not.toThrow();
  });
});

// ---- The setuid guard (src-ts/setuid-guard.ts) ----

const S_ISUID = 0o4000n;
const S_ISGID = 0o2000n;
/** Which argument holds the mode, per call the guard covers. */
const MODE_ARG: Record<string, number> = {
  chmod: 1, fchmod: 1, creat: 1, mkdir: 1, mknod: 1,
  fchmodat: 2, fchmodat2: 2, open: 2, mkdirat: 2, mknodat: 2,
  openat: 3,
};
const nrHere = (name: string): number | undefined => (NR[name] ? nr(name) : IS_X86_64 ? X86_64_ONLY[name] : undefined);
const GUARD_MODES = [0o4755n, 0o2755n, 0o6000n, 0o4000n, 0o2000n, 0o755n, 0o644n, 0o1777n, 0o777n, 0xffffffff000001edn, 0o104755n];

describe('the setuid guard', () => {
  it('covers the mode-setting calls of both architectures; on aarch64 only the legacy ones are missing', () => {
    const names = [...new Set(setuidGuardRules().flatMap((r) => r.syscalls))].sort();
    expect(names).toEqual([...Object.keys(MODE_ARG), 'openat2', 'io_uring_setup', 'io_uring_enter', 'io_uring_register'].sort());
    for (const name of names) {
      const alone = () => compile({ defaultAction: 'allow', rules: [{ syscalls: [name], action: 'errno' }] });
      if (!IS_X86_64 && name in X86_64_ONLY) expect(alone).toThrow(`unknown system call '${name}' on aarch64`);
      else expect(alone, name).not.toThrow();
    }
  });

  it('alone (seccomp none) and in front of a policy, whose own rules keep their meaning', () => {
    const alone = withSetuidGuard(null);
    expect(alone).toMatchObject({ defaultAction: 'allow', ignoreUnknown: true });
    expect(alone.rules).toEqual(setuidGuardRules());
    const custom = { defaultAction: 'errno' as const, defaultErrno: 13, rules: [{ syscalls: ['chmod', 'fchmodat', 'execve', 'exit', 'exit_group'].filter((n) => nrHere(n) !== undefined), action: 'allow' as const }] };
    const guarded = withSetuidGuard(custom);
    expect(guarded.rules.slice(0, alone.rules.length)).toEqual(alone.rules);
    expect(guarded.rules.slice(alone.rules.length)).toEqual(custom.rules);
    expect(guarded).toMatchObject({ defaultAction: 'errno', defaultErrno: 13, ignoreUnknown: true });
    expect(custom.rules).toHaveLength(1); // not changed
    expect(withSetuidGuard(defaultSeccompPolicy).rules.slice(alone.rules.length)).toEqual(defaultSeccompPolicy.rules);
    // Compiled for this architecture, with the meaning of guard-then-policy.
    for (const p of [alone, guarded, withSetuidGuard(defaultSeccompPolicy)]) checkLikeKernel(compile(validateSeccompPolicy(p)));
    const prog = decode(compile(guarded));
    const fchmodat = nr('fchmodat');
    expect(run(prog, { nr: fchmodat, args: [0n, 0n, 0o4755n] })).toBe(errnoRet(EPERM));
    expect(run(prog, { nr: fchmodat, args: [0n, 0n, 0o755n] })).toBe(RET_ALLOW);
    expect(run(prog, { nr: nr('getpid') })).toBe(errnoRet(13));
    const withDefault = decode(compile(withSetuidGuard(defaultSeccompPolicy)));
    expect(run(withDefault, { nr: nr('keyctl') })).toBe(errnoRet(EPERM));
    expect(run(withDefault, { nr: nr('socket'), args: [40n, 1n, 0n] })).toBe(errnoRet(EAFNOSUPPORT));
  });

  it("a misspelt name in the policy is still an error naming the policy's own field", () => {
    const bad = { defaultAction: 'allow' as const, rules: [{ syscalls: ['getpid', 'chmdo'], action: 'errno' as const }] };
    const error = errorOf(() => withSetuidGuard(bad));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'seccomp.rules[0].syscalls[1]' });
    expect((error as Error).message).toMatch(/unknown system call 'chmdo'/);
  });

  it('refuses S_ISUID and S_ISGID in the mode argument of every call, and nothing else (interpreted)', () => {
    const prog = decode(compile(withSetuidGuard(null)));
    let checked = 0;
    for (const [name, index] of Object.entries(MODE_ARG)) {
      const n = nrHere(name);
      if (n === undefined) continue;
      for (const mode of GUARD_MODES) {
        const args = [7n, 7n, 7n, 7n, 7n, 7n];
        args[index] = mode;
        const setid = (mode & (S_ISUID | S_ISGID)) !== 0n;
        expect(run(prog, { nr: n, args }), `${name} 0o${mode.toString(8)}`).toBe(setid ? errnoRet(EPERM) : RET_ALLOW);
        // The other arguments do not matter.
        const elsewhere = [0o4755n, 0o4755n, 0o4755n, 0o4755n, 0o4755n, 0o4755n];
        elsewhere[index] = 0o755n;
        expect(run(prog, { nr: n, args: elsewhere }), `${name} with setuid bits elsewhere`).toBe(RET_ALLOW);
        checked++;
      }
    }
    expect(checked).toBe((IS_X86_64 ? 11 : 6) * GUARD_MODES.length);
    expect(run(prog, { nr: nr('openat2'), args: [0n, 0n, 0n, 24n] })).toBe(errnoRet(ENOSYS));
    expect(run(prog, { nr: nr('getpid') })).toBe(RET_ALLOW);
  });
});

// ---- The system call table, generated from the kernel headers at build time ----

const hasGxx = spawnSync('g++', ['--version']).status === 0;
if (!hasGxx) console.log('seccomp: skipping the tests that build C++ (the headers\' table, real processes): g++ is not installed');

const GENERATOR = path.join(ROOT, 'src-native/addon/gen_syscall_table.mjs');

/** Runs the table generator as the build does, with `cxx` as the compiler. */
function generateTable(out: string, cxx = 'g++') {
  return spawnSync(process.execPath, [GENERATOR, out], { encoding: 'utf8', env: { ...process.env, CXX: cxx } });
}

/** The numbers the addon gives `names`, read back from a program where rule i answers errno i + 1. */
function addonNumbers(names: string[]): Map<string, number> {
  const rules = names.map((name, i) => ({ syscalls: [name], action: 'errno', errno: i + 1 }));
  const prog = decode(compile({ defaultAction: 'allow', rules }));
  const out = new Map<string, number>();
  for (let n = 0; n < 1024; n++) {
    const ret = run(prog, { nr: n });
    if (ret === RET_ALLOW) continue;
    const name = names[(ret & 0xffff) - 1]!;
    expect(out.get(name), `${name} is both ${out.get(name)} and ${n}`).toBeUndefined();
    out.set(name, n);
  }
  return out;
}

// Numbers fixed by the kernel, [x86_64, aarch64]; the last three are newer than Debian 12's headers.
const FIXED: Record<string, [number, number]> = {
  read: [0, 63],
  write: [1, 64],
  openat: [257, 56],
  execve: [59, 221],
  fchmodat2: [452, 452],
  open_tree_attr: [467, 467],
  listns: [470, 470],
};

describe('the system call table', () => {
  it("gives the kernel's numbers, also for calls newer than the build machine's headers", () => {
    const names = Object.keys(FIXED);
    const got = addonNumbers(names);
    for (const name of names) expect(got.get(name), name).toBe(FIXED[name]![IS_X86_64 ? 0 : 1]);
    for (const [name, n] of Object.entries(X86_64_ONLY)) expect(addonNumbers([name]).get(name), name).toBe(IS_X86_64 ? n : undefined);
  });

  it('has no entries for the macros of <asm/unistd.h> that are not system calls', () => {
    for (const name of ['syscalls', 'arch_specific_syscall', 'NR_read', '__NR_read']) {
      expect(() => compile({ defaultAction: 'allow', rules: [{ syscalls: [name], action: 'kill' }] }), name).toThrow(
        `unknown system call '${name}'`,
      );
    }
  });

  describe.skipIf(!hasGxx)('against the kernel headers', () => {
    let dir = '';
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syscall-table-'));
    });
    afterAll(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('has every __NR_ macro of <sys/syscall.h>, with the number a compiled program prints', () => {
      const macros = spawnSync('g++', ['-x', 'c++', '-dM', '-E', '-'], { input: '#include <sys/syscall.h>\n', encoding: 'utf8' });
      expect(macros.status).toBe(0);
      const names = [...macros.stdout.matchAll(/^#define __NR_(\w+) /gm)]
        .map((m) => m[1]!)
        .filter((name) => name !== 'syscalls' && name !== 'arch_specific_syscall');
      expect(names.length).toBeGreaterThan(IS_X86_64 ? 300 : 280);
      const source = path.join(dir, 'numbers.cc');
      fs.writeFileSync(
        source,
        '#include <sys/syscall.h>\n#include <cstdio>\nint main() {\n' +
          names.map((name) => `  std::printf("%s %ld\\n", "${name}", static_cast<long>(__NR_${name}));\n`).join('') +
          '}\n',
      );
      const cc = spawnSync('g++', ['-o', path.join(dir, 'numbers'), source], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const printed = spawnSync(path.join(dir, 'numbers'), { encoding: 'utf8' }).stdout;
      const headers = new Map(printed.trim().split('\n').map((l) => l.split(' ')).map(([name, n]) => [name!, Number(n)]));
      expect(headers.size).toBe(names.length);
      const addon = addonNumbers(names);
      for (const name of names) expect(addon.get(name), name).toBe(headers.get(name));
    });

    it('is generated sorted and the same every time, with both architectures\' numbers', () => {
      const [a, b] = [path.join(dir, 'a.inc'), path.join(dir, 'b.inc')];
      for (const out of [a, b]) expect(generateTable(out)).toMatchObject({ status: 0, stderr: '' });
      const text = fs.readFileSync(a, 'utf8');
      expect(fs.readFileSync(b, 'utf8')).toBe(text);
      const rows = [...text.matchAll(/^\{"(\w+)", "(\w+)", (\d+)\},/gm)].map((m) => ({ arch: m[1]!, name: m[2]!, nr: Number(m[3]) }));
      const keys = rows.map((r) => `${r.arch} ${r.name}`);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(keys.length);
      const table = (arch: string) => new Map(rows.filter((r) => r.arch === arch).map((r) => [r.name, r.nr]));
      // The other architecture's table is there when its headers are: aarch64's (asm-generic) always is on x86_64.
      const archs = IS_X86_64 || table('x86_64').size ? ['x86_64', 'aarch64'] : ['aarch64'];
      if (archs.length === 1) console.log('seccomp: no x86_64 headers here; its table was not generated');
      for (const [i, arch] of ['x86_64', 'aarch64'].entries()) {
        if (!archs.includes(arch)) continue;
        const t = table(arch);
        for (const [name, nrs] of Object.entries(FIXED)) expect(t.get(name), `${arch} ${name}`).toBe(nrs[i]);
        for (const [name, n] of Object.entries(X86_64_ONLY)) expect(t.get(name), `${arch} ${name}`).toBe(arch === 'x86_64' ? n : undefined);
      }
    });

    it('fails the build, loudly and writing nothing, on headers it cannot trust', () => {
      const include = path.join(dir, 'fake');
      fs.mkdirSync(path.join(include, 'sys'), { recursive: true });
      const cxx = `g++ -nostdinc -I${include}`;
      const plenty = Array.from({ length: 310 }, (_, i) => `#define __NR_fake${i} ${i}\n`).join('');
      for (const [headers, why] of [
        ['#define __NR_read 0\n#define __NR_write 1\n', /gave only 2 (x86_64|aarch64) system calls \(expected at least/],
        [`${plenty}#define __NR_read (0x40000000 + 0)\n`, /__NR_read expands to '\(0x40000000 \+ 0\)', not a number of a native 64-bit ABI/],
        [`${plenty}#define __NR_fchmodat2 999\n`, /__NR_fchmodat2 is 999, but the kernel's unified numbering says 452/],
      ] as const) {
        fs.writeFileSync(path.join(include, 'sys', 'syscall.h'), headers);
        const out = path.join(dir, 'refused.inc');
        const r = generateTable(out, cxx);
        expect(r.status, why.source).toBe(1);
        expect(r.stderr).toMatch(why);
        expect(fs.existsSync(out)).toBe(false);
      }
      // The same compiler with sane headers: accepted.
      fs.writeFileSync(path.join(include, 'sys', 'syscall.h'), plenty);
      expect(generateTable(path.join(dir, 'fake.inc'), cxx)).toMatchObject({ status: 0, stderr: '' });
    });
  });
});

// ---- Real processes ----

interface Outcome {
  call: string;
  ret?: number;
  errno?: number;
  signal?: number;
  install?: number;
  exit?: number;
}

describe.skipIf(!hasGxx)('in real processes', () => {
  let dir = '';
  let probeBin = '';
  let n = 0;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccomp-probe-'));
    probeBin = path.join(dir, 'seccomp_probe');
    // The table as the build generates it (here, next to the probe).
    expect(generateTable(path.join(dir, 'syscall_table.inc'))).toMatchObject({ status: 0, stderr: '' });
    const cc = spawnSync(
      'g++',
      [
        '-std=c++17',
        '-O1',
        '-Wall',
        '-Wextra',
        `-I${path.join(ROOT, 'src-native/addon')}`,
        `-I${dir}`,
        path.join(ROOT, 'test/native/seccomp_probe.cc'),
        path.join(ROOT, 'src-native/addon/syscall_table.cc'),
        '-o',
        probeBin,
      ],
      { encoding: 'utf8' },
    );
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs each call in its own process under the policy (or none: null). */
  function probe(policy: unknown, calls: string[]): Outcome[] {
    let filter = '-';
    if (policy !== null) {
      filter = path.join(dir, `filter-${n++}.bin`);
      fs.writeFileSync(filter, compile(policy));
    }
    const r = spawnSync(probeBin, [filter, ...calls], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome);
    expect(out.map((o) => o.call)).toEqual(calls);
    for (const o of out) expect(o.install, `installing the filter for ${o.call}`).toBeUndefined();
    return out;
  }

  const returned = (o: Outcome) => o.signal === undefined && o.exit === undefined;

  it("the probe's tables (this architecture's, and the other's) agree with the kernel on a few numbers", () => {
    const list = (...arch: string[]) => spawnSync(probeBin, ['--list', ...arch], { encoding: 'utf8' }).stdout;
    expect(list()).toBe(list(ARCH));
    for (const [i, arch] of ['x86_64', 'aarch64'].entries()) {
      const table = new Map(list(arch).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
      if (arch !== ARCH && table.size === 0) {
        console.log(`seccomp: no ${arch} headers here; its table was not generated`);
        continue;
      }
      for (const [name, nrs] of Object.entries(NR)) expect(Number(table.get(name)), `${arch} ${name}`).toBe(nrs[i]);
      expect(table.size).toBeGreaterThan(300);
    }
  });

  it('the default policy denies, allows and redirects as documented', () => {
    const calls = [
      'getpid',
      'keyctl:0',
      'bpf:0,0,0',
      'io_uring_setup:0,0',
      'mount:0,0,0,0,0',
      'open_tree_attr:0,0,0,0,0',
      'clone3:0,0',
      'unshare:0x10000000',
      'unshare:0',
      'clone:0x10000000',
      'clone:0x800', // CLONE_SIGHAND without CLONE_VM: the kernel's EINVAL, so the filter let it through
      'ioctl:0,0x5412,0',
      'ioctl:0,0x541c,0',
      'ioctl:0,0xffffffff00005412,0', // the kernel reads the request as 32 bits: still TIOCSTI
      'ioctl:0,0x5401,0', // TCGETS on a pipe: ENOTTY from the kernel
      'personality:0xffffffff',
      'personality:0x40000',
      'ptrace:0xffff,0',
      'process_vm_readv:0,0,0,0,0,0',
    ];
    const unfiltered = probe(null, calls);
    const filtered = probe(defaultSeccompPolicy, calls);
    const get = (call: string) => filtered.find((o) => o.call === call)!;
    expect(get('getpid').ret).toBeGreaterThan(0);
    for (const c of ['keyctl:0', 'bpf:0,0,0', 'io_uring_setup:0,0', 'mount:0,0,0,0,0', 'open_tree_attr:0,0,0,0,0']) {
      expect(get(c), c).toMatchObject({ ret: -1, errno: EPERM });
    }
    expect(get('clone3:0,0')).toMatchObject({ ret: -1, errno: ENOSYS });
    expect(get('unshare:0x10000000')).toMatchObject({ ret: -1, errno: EPERM });
    expect(get('unshare:0')).toMatchObject({ ret: 0, errno: 0 });
    expect(get('clone:0x10000000')).toMatchObject({ ret: -1, errno: EPERM });
    expect(get('clone:0x800')).toMatchObject({ ret: -1, errno: 22 });
    for (const c of ['ioctl:0,0x5412,0', 'ioctl:0,0x541c,0', 'ioctl:0,0xffffffff00005412,0']) {
      expect(get(c), c).toMatchObject({ ret: -1, errno: EPERM });
    }
    expect(get('ioctl:0,0x5401,0')).toMatchObject({ ret: -1, errno: ENOTTY });
    expect(get('personality:0xffffffff').ret).toBeGreaterThanOrEqual(0);
    expect(get('personality:0x40000')).toMatchObject({ ret: -1, errno: EPERM });
    // ptrace and process_vm_readv reach the kernel, which answers for itself.
    for (const c of ['ptrace:0xffff,0', 'process_vm_readv:0,0,0,0,0,0']) {
      const u = unfiltered.find((o) => o.call === c)!;
      expect(get(c), c).toMatchObject({ ret: u.ret, errno: u.errno });
    }
    // Without the filter, the denied calls fail otherwise (or work): the EPERMs are the filter's.
    const plain = (c: string) => unfiltered.find((o) => o.call === c)!;
    expect(plain('ioctl:0,0xffffffff00005412,0')).toMatchObject({ errno: ENOTTY });
    expect(plain('clone3:0,0').errno).not.toBe(ENOSYS);
  });

  it("'kill' kills the process with SIGSYS; 'log' and 'allow' let the call run", () => {
    const policy = {
      defaultAction: 'allow',
      rules: [
        { syscalls: ['getppid'], action: 'kill' },
        { syscalls: ['getuid'], action: 'log' },
      ],
    };
    const [ppid, uid, pid] = probe(policy, ['getppid', 'getuid', 'getpid']);
    expect(ppid).toMatchObject({ signal: SIGSYS });
    expect(uid).toMatchObject({ ret: process.getuid!(), errno: 0 });
    expect(pid!.ret).toBeGreaterThan(0);
  });

  it('a deny-by-default policy allows only what it lists', () => {
    const policy = { defaultAction: 'errno', defaultErrno: 99, rules: [{ syscalls: ['getpid', 'exit_group'], action: 'allow' }] };
    const [pid, ppid] = probe(policy, ['getpid', 'getppid']);
    expect(pid!.ret).toBeGreaterThan(0);
    expect(ppid).toMatchObject({ ret: -1, errno: 99 });
  });

  if (!IS_X86_64) console.log('seccomp: not x86_64: the x32 and i386 test is skipped');
  it.runIf(IS_X86_64)('x32 calls get ENOSYS before any rule; i386 calls (int 0x80) are killed', () => {
    // With a default of errno 99, ENOSYS can only come from the x32 check.
    const policy = { defaultAction: 'errno', defaultErrno: 99, rules: [{ syscalls: ['getpid', 'exit_group'], action: 'allow' }] };
    const [x32, i386] = probe(policy, ['x32:getpid', 'i386:getpid']);
    expect(x32).toMatchObject({ ret: -1, errno: ENOSYS });
    const [plain] = probe(null, ['i386:getpid']);
    if (returned(plain!)) {
      expect(i386).toMatchObject({ signal: SIGSYS });
    } else {
      console.log('seccomp: this kernel cannot run i386 calls; the architecture check was tested by interpretation only');
    }
  });

  it.each<SeccompArgOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'])(
    "'%s' compares all 64 bits of an argument in the kernel",
    (op) => {
      const value = 0x100000005n;
      const cond: SeccompArgCondition = op === 'maskedEq' ? { index: 3, op, value, mask: 0x1000000ffn } : { index: 3, op, value };
      const policy = { defaultAction: 'allow', rules: [{ syscalls: ['getpid'], action: 'errno', errno: 42, args: [cond] }] };
      const inputs = [
        0n, 4n, 5n, 6n, 0xffffffffn, 0x100000000n, 0x100000004n, 0x100000005n, 0x100000006n, 0x1000001f5n,
        0x1ffffffffn, 0x200000005n, 0x300000305n, 0xffffffffffffffffn,
      ];
      // getpid ignores its arguments, but the filter sees them.
      const out = probe(policy, inputs.map((v) => `getpid:0,0,0,0x${v.toString(16)}`));
      out.forEach((o, i) => {
        const match = holds(cond, inputs[i]!);
        expect(o.errno, `${op} 0x${inputs[i]!.toString(16)}`).toBe(match ? 42 : 0);
        if (!match) expect(o.ret).toBeGreaterThan(0);
      });
    },
  );

  it('the kernel accepts and runs a large program with long jumps', () => {
    const rules = Array.from({ length: 300 }, (_, i) => ({
      syscalls: ['getpid', 'getuid'],
      action: 'errno',
      errno: 100 + i,
      args: [{ index: 0, op: 'eq', value: i }],
    }));
    const out = probe({ defaultAction: 'allow', rules }, ['getpid:0', 'getpid:150', 'getuid:299', 'getpid:300', 'getppid']);
    expect(out.map((o) => o.errno)).toEqual([100, 250, 399, 0, 0]);
  });

  it('the default policy refuses vsock and audit sockets in the kernel, and no other socket', () => {
    const refused = ['socket:40,1,0', 'socket:40,5,0', 'socket:0xffffffff00000028,1,0', 'socket:16,3,9', 'socket:16,0x80003,9'];
    const allowed = ['socket:16,3,0', 'socket:2,1,0', 'socket:1,1,0'];
    const filtered = probe(defaultSeccompPolicy, [...refused, ...allowed]);
    expect(filtered.slice(0, 3).map((o) => o.errno)).toEqual([EAFNOSUPPORT, EAFNOSUPPORT, EAFNOSUPPORT]);
    expect(filtered.slice(3, 5).map((o) => o.errno)).toEqual([EPROTONOSUPPORT, EPROTONOSUPPORT]);
    for (const o of filtered.slice(5)) expect(o, o.call).toMatchObject({ errno: 0 });
    // Without the filter an audit socket opens (vsock too, where the module is loaded):
    // the refusals above are the filter's.
    const plain = probe(null, ['socket:16,3,9', 'socket:40,1,0']);
    expect(plain[0]).toMatchObject({ errno: 0 });
    if (plain[1]!.errno !== 0) console.log('seccomp: vsock is not available here; its refusal was the kernel\'s as well as the filter\'s');
  });

  it('the setuid guard refuses setuid and setgid modes in the kernel, for every call it covers', () => {
    // Null paths and fd -1: an allowed call fails in the kernel with EFAULT or EBADF, a
    // refused one with the filter's EPERM before the kernel looks at anything.
    const shape: Record<string, (mode: string) => string> = {
      chmod: (m) => `chmod:0,${m}`,
      fchmod: (m) => `fchmod:-1,${m}`,
      creat: (m) => `creat:0,${m}`,
      mkdir: (m) => `mkdir:0,${m}`,
      mknod: (m) => `mknod:0,${m},0`,
      fchmodat: (m) => `fchmodat:-100,0,${m}`,
      fchmodat2: (m) => `fchmodat2:-100,0,${m},0`,
      open: (m) => `open:0,0x41,${m}`,
      mkdirat: (m) => `mkdirat:-100,0,${m}`,
      mknodat: (m) => `mknodat:-100,0,${m},0`,
      openat: (m) => `openat:-100,0,0x41,${m}`,
    };
    const modes = ['04755', '02755', '06000', '0755', '01777', '0644', '0xffffffff000001ed'];
    const modeOf = (m: string) => BigInt(m.startsWith('0x') ? m : `0o${m.slice(1)}`);
    const cases = Object.keys(shape)
      .filter((name) => nrHere(name) !== undefined)
      .flatMap((name) => modes.map((m) => ({ call: shape[name]!(m), setid: (modeOf(m) & (S_ISUID | S_ISGID)) !== 0n })));
    const calls = [...cases.map((c) => c.call), 'openat2:-100,0,0,24'];
    const plain = probe(null, calls);
    const guarded = probe(withSetuidGuard(null), calls);
    cases.forEach(({ call, setid }, i) => {
      expect([EFAULT, EBADF, ENOSYS], call).toContain(plain[i]!.errno); // ENOSYS: fchmodat2 before Linux 6.6
      expect(guarded[i], call).toMatchObject(setid ? { ret: -1, errno: EPERM } : { ret: plain[i]!.ret, errno: plain[i]!.errno });
    });
    expect(guarded.at(-1)).toMatchObject({ ret: -1, errno: ENOSYS });
    expect(plain.at(-1)!.errno).not.toBe(ENOSYS); // the kernel has openat2 (Linux 5.6+)
  });
});
