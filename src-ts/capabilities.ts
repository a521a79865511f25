/** Capability names -> numbers (linux/capability.h). */
import { ConfigError } from './errors.js';

const CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
] as const;

/** 'CAP_NET_BIND_SERVICE' (or 'net_bind_service') -> 10. */
export function capabilityNumber(name: string, field: string): number {
  const bare = name.toUpperCase().replace(/^CAP_/, '');
  const n = (CAPS as readonly string[]).indexOf(bare);
  if (n < 0) throw new ConfigError(field, `is not a known capability: ${JSON.stringify(name)}`);
  return n;
}
