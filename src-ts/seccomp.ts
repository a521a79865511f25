/**
 * Seccomp policies (README.md, "Configuration"): their type, their validation, and the
 * default policy.
 *
 * Each fact about a policy is checked in one place. Its shape (types, actions, errno
 * and value ranges, argument indexes, which fields go together) is checked here, by
 * validateSeccompPolicy, with a ConfigError naming the field. The system call names are
 * checked by the addon's compiler (`native.compileSeccomp`), because the table is the
 * build's, generated from the kernel headers it was compiled with; compileSeccompPolicy
 * turns that error into a ConfigError naming the field too. The compiler trusts the
 * shape and only refuses what would make it unsafe or ambiguous.
 */
import { ConfigError } from './errors.js';
import { keysOf, onlyKnownKeys } from './config-values.js';
import { native } from './native.js';

export type SeccompAction = 'allow' | 'errno' | 'kill' | 'log';
export type SeccompArgOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'maskedEq';

/**
 * A condition on one 64-bit argument, compared unsigned. Negative values stand for
 * their two's complement (-1 is 0xffffffffffffffff), as a sign-extended int argument
 * appears in the register. `maskedEq` holds when `(arg & mask) == value`.
 */
export interface SeccompArgCondition {
  index: number;
  op: SeccompArgOp;
  value: number | bigint;
  mask?: number | bigint;
}

export interface SeccompRule {
  syscalls: string[];
  action: SeccompAction;
  /** With action 'errno' (default EPERM). */
  errno?: number;
  /** All must hold (AND) for the rule to match. */
  args?: SeccompArgCondition[];
}

/** Rules are tried in order; the first that matches decides, else `defaultAction`. */
export interface SeccompPolicy {
  defaultAction: SeccompAction;
  /** With defaultAction 'errno' (default EPERM). */
  defaultErrno?: number;
  rules: SeccompRule[];
}

/**
 * What the compiler accepts: a policy that may also skip system call names this
 * architecture lacks (the default policy names calls of x86_64 and aarch64 both).
 */
export type CompilableSeccompPolicy = SeccompPolicy & { ignoreUnknown?: boolean };

const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const EPROTONOSUPPORT = 93;
const CLONE_NEWUSER = 0x10000000;
const AF_NETLINK = 16;
const AF_VSOCK = 40;
const NETLINK_AUDIT = 9;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

/** Denied with EPERM: kernel-wide state, kernel attack surface, or escapes. */
const DENIED = [
  // keyrings are not namespaced
  'keyctl', 'add_key', 'request_key',
  // large attack surface, or tracing of the whole system
  'bpf', 'perf_event_open', 'userfaultfd', 'lookup_dcookie',
  'io_uring_setup', 'io_uring_enter', 'io_uring_register',
  // the kernel itself
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot',
  'swapon', 'swapoff', 'acct', 'syslog', 'vhangup', 'uselib', 'nfsservctl', 'iopl', 'ioperm',
  // clocks are not namespaced
  'settimeofday', 'clock_settime', 'clock_adjtime', 'adjtimex',
  'quotactl', 'quotactl_fd',
  // file handles can name files outside the sandbox's root
  'open_by_handle_at', 'name_to_handle_at',
  // the mount tree and namespaces are set up by the sandbox, not by its processes
  'pivot_root', 'mount', 'umount2', 'mount_setattr', 'move_mount', 'open_tree', 'open_tree_attr',
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'setns',
];

/** The personalities Docker allows: Linux, 32-bit Linux, and UNAME26 of either; 0xffffffff only queries. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/**
 * The default policy: allow everything but the calls above (like Docker's default,
 * written as a deny list).
 *
 * - `ptrace` and `process_vm_readv`/`writev` stay allowed: since Linux 4.8 seccomp
 *   re-checks a call a tracer changed, and the kernel refuses them (no CAP_SYS_PTRACE
 *   over the target's user namespace) for anything outside the sandbox's user
 *   namespace, so they only reach the sandbox's own processes; debuggers and
 *   profilers need them.
 * - `clone3` fails with ENOSYS so that libc falls back to `clone`, whose flags (unlike
 *   clone3's, behind a pointer) a filter can see; `clone` and `unshare` with
 *   CLONE_NEWUSER fail with EPERM: no nested user namespaces.
 * - `ioctl` TIOCSTI / TIOCLINUX (typing into the terminal, CVE-2017-5226) fail with
 *   EPERM; only the low 32 bits of the request are compared, because the kernel
 *   ignores the rest and some callers sign-extend it.
 * - `personality` is allowed only for the values above (low 32 bits, as the kernel
 *   reads them).
 * - `socket(AF_VSOCK, ...)` fails with EAFNOSUPPORT: vsock is not namespaced, so a
 *   sandbox in a VM could talk to the hypervisor host; EAFNOSUPPORT is what a kernel
 *   without vsock answers, which programs already handle.
 * - `socket(AF_NETLINK, *, NETLINK_AUDIT)` fails with EPROTONOSUPPORT: the audit
 *   subsystem is not namespaced either. That is what a kernel without audit answers:
 *   libaudit users such as shadow-utils (useradd) treat only EINVAL, EPROTONOSUPPORT and
 *   EAFNOSUPPORT as "no audit here" and refuse to run on EPERM.
 *   Both compare the low 32 bits of the int arguments, as the kernel reads them.
 */
export const defaultSeccompPolicy: Readonly<CompilableSeccompPolicy> = deepFreeze({
  defaultAction: 'allow',
  ignoreUnknown: true,
  rules: [
    { syscalls: DENIED, action: 'errno', errno: EPERM },
    { syscalls: ['clone3'], action: 'errno', errno: ENOSYS },
    {
      syscalls: ['clone', 'unshare'],
      action: 'errno',
      errno: EPERM,
      args: [{ index: 0, op: 'maskedEq', mask: CLONE_NEWUSER, value: CLONE_NEWUSER }],
    },
    ...[TIOCSTI, TIOCLINUX].map(
      (request): SeccompRule => ({
        syscalls: ['ioctl'],
        action: 'errno',
        errno: EPERM,
        args: [{ index: 1, op: 'maskedEq', mask: 0xffffffff, value: request }],
      }),
    ),
    ...PERSONALITIES.map(
      (persona): SeccompRule => ({
        syscalls: ['personality'],
        action: 'allow',
        args: [{ index: 0, op: 'maskedEq', mask: 0xffffffff, value: persona }],
      }),
    ),
    { syscalls: ['personality'], action: 'errno', errno: EPERM },
    {
      syscalls: ['socket'],
      action: 'errno',
      errno: EAFNOSUPPORT,
      args: [{ index: 0, op: 'maskedEq', mask: 0xffffffff, value: AF_VSOCK }],
    },
    {
      syscalls: ['socket'],
      action: 'errno',
      errno: EPROTONOSUPPORT,
      args: [
        { index: 0, op: 'maskedEq', mask: 0xffffffff, value: AF_NETLINK },
        { index: 2, op: 'maskedEq', mask: 0xffffffff, value: NETLINK_AUDIT },
      ],
    },
  ],
} satisfies CompilableSeccompPolicy);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const ACTIONS: readonly string[] = ['allow', 'errno', 'kill', 'log'];
const OPS: readonly string[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'];
const MIN_I64 = -(2n ** 63n);
const MAX_U64 = 2n ** 64n - 1n;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Maps every element, holes of sparse arrays included (map and forEach skip them). */
function eachOf<T>(arr: unknown[], f: (v: unknown, i: number) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < arr.length; i++) out.push(f(arr[i], i));
  return out;
}

function checkErrno(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4095) {
    throw new ConfigError(field, 'must be an integer 0..4095');
  }
  return v;
}

/** An action with its optional errno; the errno only goes with 'errno'. */
function checkAction(
  o: Record<string, unknown>,
  base: string,
  actionKey: string,
  errnoKey: string,
): { action: SeccompAction; errno?: number } {
  const action = o[actionKey];
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    throw new ConfigError(`${base}.${actionKey}`, "must be one of 'allow', 'errno', 'kill', 'log'");
  }
  const errno = o[errnoKey];
  if (errno === undefined) return { action: action as SeccompAction };
  if (action !== 'errno') throw new ConfigError(`${base}.${errnoKey}`, `is only valid with ${actionKey} 'errno'`);
  return { action: action as SeccompAction, errno: checkErrno(errno, `${base}.${errnoKey}`) };
}

function checkU64(v: unknown, field: string): number | bigint {
  const ok =
    (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'bigint' && v >= MIN_I64 && v <= MAX_U64);
  if (!ok) throw new ConfigError(field, 'must be a safe integer or a bigint in -2^63..2^64-1');
  return v as number | bigint;
}

const CONDITION_KEYS = keysOf<SeccompArgCondition>({ index: true, op: true, value: true, mask: true });
const RULE_KEYS = keysOf<SeccompRule>({ syscalls: true, action: true, errno: true, args: true });
const POLICY_KEYS = keysOf<CompilableSeccompPolicy>({ defaultAction: true, defaultErrno: true, rules: true, ignoreUnknown: true });

function checkCondition(v: unknown, field: string): SeccompArgCondition {
  if (!isObject(v)) throw new ConfigError(field, 'must be an object');
  onlyKnownKeys(v, CONDITION_KEYS, `${field}.`, 'a field of an argument condition');
  const { index, op } = v;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    throw new ConfigError(`${field}.index`, 'must be 0..5');
  }
  if (typeof op !== 'string' || !OPS.includes(op)) {
    throw new ConfigError(`${field}.op`, "must be one of 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'maskedEq'");
  }
  const out: SeccompArgCondition = { index, op: op as SeccompArgOp, value: checkU64(v.value, `${field}.value`) };
  if (op === 'maskedEq') {
    if (v.mask === undefined) throw new ConfigError(`${field}.mask`, "is required with op 'maskedEq'");
    out.mask = checkU64(v.mask, `${field}.mask`);
  } else if (v.mask !== undefined) {
    throw new ConfigError(`${field}.mask`, "is only valid with op 'maskedEq'");
  }
  return out;
}

function checkRule(v: unknown, field: string): SeccompRule {
  if (!isObject(v)) throw new ConfigError(field, 'must be an object');
  onlyKnownKeys(v, RULE_KEYS, `${field}.`, 'a field of a seccomp rule');
  const { syscalls, args } = v;
  if (!Array.isArray(syscalls) || syscalls.length === 0) {
    throw new ConfigError(`${field}.syscalls`, 'must be a non-empty array of system call names');
  }
  const names = eachOf(syscalls, (name, i) => {
    if (typeof name !== 'string') throw new ConfigError(`${field}.syscalls[${i}]`, 'must be a string');
    if (name === '') throw new ConfigError(`${field}.syscalls[${i}]`, 'must be a non-empty string');
    return name;
  });
  const out: SeccompRule = { syscalls: names, ...checkAction(v, field, 'action', 'errno') };
  if (args !== undefined) {
    if (!Array.isArray(args)) throw new ConfigError(`${field}.args`, 'must be an array');
    out.args = eachOf(args, (c, i) => checkCondition(c, `${field}.args[${i}]`));
  }
  return out;
}

/**
 * Checks the shape of a seccomp policy and returns a copy of it (so later changes to
 * the caller's object do not matter), which is what the compiler accepts. System call
 * names are left to the compiler, which has the architecture's table (see the top of
 * this file). Throws ConfigError naming the field at fault.
 */
export function validateSeccompPolicy(value: unknown, field = 'seccomp'): CompilableSeccompPolicy {
  if (!isObject(value)) throw new ConfigError(field, 'must be an object');
  onlyKnownKeys(value, POLICY_KEYS, `${field}.`, 'a field of a seccomp policy');
  const { ignoreUnknown, rules } = value;
  if (ignoreUnknown !== undefined && typeof ignoreUnknown !== 'boolean') {
    throw new ConfigError(`${field}.ignoreUnknown`, 'must be a boolean');
  }
  const { action, errno } = checkAction(value, field, 'defaultAction', 'defaultErrno');
  const out: CompilableSeccompPolicy = { defaultAction: action, rules: [] };
  if (errno !== undefined) out.defaultErrno = errno;
  if (!Array.isArray(rules)) throw new ConfigError(`${field}.rules`, 'must be an array');
  out.rules = eachOf(rules, (r, i) => checkRule(r, `${field}.rules[${i}]`));
  if (ignoreUnknown !== undefined) out.ignoreUnknown = ignoreUnknown;
  return out;
}

/** What every program needs from the filter: it is installed right before execve. */
const NEEDED_TO_START = ['execve', 'exit_group', 'exit'];

const allows = (action: SeccompAction) => action === 'allow' || action === 'log';

/**
 * Refuses a (validated) policy under which the main process could never start or end:
 * the filter is installed right before execve, so execve must be allowed, and so must
 * exit_group and exit (with them refused, a program that wants to end spins forever).
 * "Allowed" means by an argument-free allow/log rule that no rule before it can
 * override, or by an allow/log defaultAction with no rule denying them.
 */
export function checkPolicyCanStart(policy: SeccompPolicy, field = 'seccomp'): void {
  for (const name of NEEDED_TO_START) {
    let verdict: string | null = null;
    for (const [i, rule] of policy.rules.entries()) {
      if (!rule.syscalls.includes(name)) continue;
      const conditional = (rule.args ?? []).length > 0;
      if (allows(rule.action)) {
        if (conditional) continue; // allows only some calls; the rest go on to later rules
        verdict = 'ok';
      } else {
        verdict = `rules[${i}] ${conditional ? 'may deny' : 'denies'} it`;
      }
      break;
    }
    if (verdict === null && !allows(policy.defaultAction)) verdict = `defaultAction '${policy.defaultAction}' denies it and no rule allows it`;
    if (verdict !== null && verdict !== 'ok')
      throw new ConfigError(
        field,
        `must allow ${name} unconditionally (the filter is installed right before execve, and every program ends with exit_group or exit): ${verdict}`,
      );
  }
}

// Compiling costs far more than a spawn, and policies rarely change.
const programs = new Map<string, Buffer>();

/**
 * The BPF program of a validated policy, compiled by the addon for this architecture and
 * cached. What only the compiler can check (system call names, the instruction limit)
 * comes back as a ConfigError naming the field ("seccomp.rules[2].syscalls[0]: ..."),
 * before any process exists; any other error means the policy was not validated, a bug,
 * and is thrown as it is.
 */
export function compileSeccompPolicy(policy: CompilableSeccompPolicy): Buffer {
  const key = policy === defaultSeccompPolicy ? '<default>' : JSON.stringify(policy, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  let program = programs.get(key);
  if (!program) {
    try {
      program = native.compileSeccomp(policy);
    } catch (e) {
      const m = /^(seccomp[^\s:]*):? (.*)$/s.exec((e as Error).message);
      throw m ? new ConfigError(m[1], m[2]) : e;
    }
    if (programs.size >= 64) programs.clear();
    programs.set(key, program);
  }
  return program;
}
