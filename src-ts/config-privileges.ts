/**
 * The fields that say what the program may do: capabilities, seccomp and
 * noNewPrivileges. The seccomp filter comes out compiled, with the setuid guard in
 * front whenever what the program writes can reach the host.
 */
import { ConfigError } from './errors.js';
import { capabilityNumber } from './capabilities.js';
import {
  checkPolicyCanStart,
  compileSeccompPolicy,
  defaultSeccompPolicy,
  validateSeccompPolicy,
  type CompilableSeccompPolicy,
} from './seccomp.js';
import { withSetuidGuard } from './setuid-guard.js';
import { flag, str } from './config-values.js';

export interface Privileges {
  capabilities: number[];
  /** The compiled filter (null: none). */
  seccompProgram: Buffer | null;
  noNewPrivileges: boolean;
}

const CAP_SETFCAP = 31;

/** `writesToHost`: a bind or the rootfs is writable (see config-filesystem.ts). */
export function validatePrivileges(c: Record<string, unknown>, writesToHost: boolean): Privileges {
  const capabilities = validateCapabilities(c.capabilities);
  const policy = validateSeccomp(c.seccomp);
  if (writesToHost) refuseSetfcap(capabilities);
  const guardedPolicy = writesToHost ? guarded(policy) : policy;
  return {
    capabilities,
    seccompProgram: guardedPolicy ? compileSeccompPolicy(guardedPolicy) : null,
    noNewPrivileges: flag(c.noNewPrivileges, 'noNewPrivileges', true),
  };
}

function validateCapabilities(v: unknown): number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('capabilities', 'must be an array of capability names');
  return v.map((name, i) => capabilityNumber(str(name, `capabilities[${i}]`), `capabilities[${i}]`));
}

/** The policy to compile: the default, none ('none'), or the caller's, checked. */
function validateSeccomp(v: unknown): CompilableSeccompPolicy | null {
  if (v === undefined || v === 'default') return defaultSeccompPolicy;
  if (v === 'none') return null;
  const policy = validateSeccompPolicy(v, 'seccomp');
  checkPolicyCanStart(policy, 'seccomp');
  return policy;
}

/**
 * For a root caller, a file capability the program writes through an idmapped writable
 * mount is one the host's root namespace honours.
 */
function refuseSetfcap(capabilities: number[]): void {
  if (process.geteuid!() === 0 && capabilities.includes(CAP_SETFCAP))
    throw new ConfigError(
      'capabilities',
      "CAP_SETFCAP with a writable bind (or rootfs) would let the program give a file on the host capabilities the host's root namespace honours; make those mounts readonly, or drop CAP_SETFCAP",
    );
}

let guardedDefault: CompilableSeccompPolicy | undefined;
/**
 * The policy with the setuid guard in front (see setuid-guard.ts): the program must not
 * leave a working setuid or setgid file on the host (for a root caller one owned by the
 * host's root, through the idmap; for anyone else one that runs as the caller). The
 * default's is made once.
 */
function guarded(policy: CompilableSeccompPolicy | null): CompilableSeccompPolicy {
  if (policy === defaultSeccompPolicy) return (guardedDefault ??= withSetuidGuard(defaultSeccompPolicy));
  return withSetuidGuard(policy);
}
