/** Capability names -> numbers (linux/capability.h): the one table of them. */
import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

/** In the kernel's order: a name's index is its number. */
const CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** A Linux capability, as `capabilities` takes it: 'CAP_CHOWN' ... 'CAP_CHECKPOINT_RESTORE'. */
export type CapabilityName = `CAP_${(typeof CAPS)[number]}`;

/** Every capability name, in the kernel's order. */
export const CAPABILITY_NAMES: readonly CapabilityName[] = CAPS.map((c) => `CAP_${c}` as const);

/** 'CAP_NET_BIND_SERVICE' (or, leniently, 'net_bind_service') -> 10. */
export function capabilityNumber(name: string, field: string): number {
  const bare = name.toUpperCase().replace(/^CAP_/, '');
  const n = (CAPS as readonly string[]).indexOf(bare);
  if (n < 0) throw new ConfigError(field, `is not a known capability: ${JSON.stringify(name)}${didYouMean(`CAP_${bare}`, CAPABILITY_NAMES)}`);
  return n;
}
