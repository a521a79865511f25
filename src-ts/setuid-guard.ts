/**
 * The setuid guard: a seccomp fragment that keeps the sandbox from making set-user-ID or
 * set-group-ID files. A file made inside the sandbox on a writable host-backed bind, by a
 * root caller's container root, is owned by the host's root: with S_ISUID it would be a
 * setuid-root program on the host.
 *
 * Every call that sets a mode fails with EPERM when the mode has S_ISUID or S_ISGID.
 * A filter cannot test "mode & 06000 != 0", so each bit has a rule of its own
 * (maskedEq: (mode & bit) == bit). The kernel reads a mode as 16 bits; the masks only
 * look at one low bit, so whatever a caller leaves in the upper bits does not matter.
 * open/openat/creat carry a mode only when they create a file; glibc passes 0 otherwise.
 *
 * - openat2 fails with ENOSYS: its mode is inside a struct behind a pointer, which a
 *   filter cannot read; callers fall back to openat, which it can.
 * - io_uring fails with EPERM: its operations (IORING_OP_OPENAT, ...) never pass
 *   through seccomp, so it would go around every rule here.
 */
import type { CompilableSeccompPolicy, SeccompRule } from './seccomp.js';
import { compileSeccompPolicy } from './seccomp.js';

const EPERM = 1;
const ENOSYS = 38;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** Which argument holds the mode, per system call (x86_64 and aarch64 numbering alike). */
const MODE_ARG: Record<number, string[]> = {
  1: ['chmod', 'fchmod', 'creat', 'mkdir', 'mknod'],
  2: ['fchmodat', 'fchmodat2', 'open', 'mkdirat', 'mknodat'],
  3: ['openat'],
};

/** The guard's rules (fresh objects each time), to come before any rule that could allow these calls. */
export function setuidGuardRules(): SeccompRule[] {
  return [
    ...Object.entries(MODE_ARG).flatMap(([index, syscalls]) =>
      [S_ISUID, S_ISGID].map(
        (bit): SeccompRule => ({
          syscalls: [...syscalls],
          action: 'errno',
          errno: EPERM,
          args: [{ index: Number(index), op: 'maskedEq', mask: bit, value: bit }],
        }),
      ),
    ),
    { syscalls: ['openat2'], action: 'errno', errno: ENOSYS },
    { syscalls: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'], action: 'errno', errno: EPERM },
  ];
}

/**
 * `policy` with the guard's rules in front (they win over any of its rules), or, for
 * null (seccomp 'none'), the guard alone over an allow-everything default.
 *
 * The result skips system call names this architecture lacks (open, creat, mkdir,
 * mknod and chmod do not exist on aarch64).
 * So that this does not also hide a misspelt name in `policy`, `policy` is first
 * compiled on its own: its errors name its own fields (seccomp.rules[i]...).
 */
export function withSetuidGuard(policy: CompilableSeccompPolicy | null): CompilableSeccompPolicy {
  if (policy === null) return { defaultAction: 'allow', ignoreUnknown: true, rules: setuidGuardRules() };
  compileSeccompPolicy(policy);
  return { ...policy, ignoreUnknown: true, rules: [...setuidGuardRules(), ...policy.rules] };
}
