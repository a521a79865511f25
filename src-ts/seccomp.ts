// TEMPORARY placeholder until the seccomp compiler lands (being written in parallel).
import { ConfigError } from './errors.js';
export interface SeccompPolicy {
  defaultAction: 'allow' | 'errno' | 'kill' | 'log';
  defaultErrno?: number;
  rules: Array<{ syscalls: string[]; action: 'allow' | 'errno' | 'kill' | 'log'; errno?: number; args?: Array<{ index: number; op: string; value: number | bigint; mask?: number | bigint }> }>;
}
export const defaultSeccompPolicy = null as unknown as SeccompPolicy;
export function validateSeccompPolicy(v: unknown, field = 'seccomp'): SeccompPolicy {
  if (typeof v !== 'object' || v === null) throw new ConfigError(field, 'must be an object');
  return v as SeccompPolicy;
}
