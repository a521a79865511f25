/**
 * The fields that describe a process: what it runs (args, env, cwd), as whom (user) and
 * with which stdio and terminal. The main process and exec() share them.
 */
import * as fs from 'node:fs';
import { ConfigError } from './errors.js';
import type { TerminalSize } from './terminal.js';
import type { StdioEntry, TerminalOption } from './stdio-types.js';
import { absPath, describe, int, isPlainObject, keysOf, MAX_ID, onlyKnownKeys, str } from './config-values.js';

export type { StdioEntry };

/** Who the process runs as, inside the container. */
export interface UserConfig {
  uid: number;
  gid: number;
  /** Needs setgroups: a root caller, or gidMappings through newgidmap. */
  additionalGids?: number[];
}

export interface User {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/**
 * The most bytes one argument or one environment entry ("KEY=value") may have: the
 * kernel's MAX_ARG_STRLEN (32 pages) less its NUL. (Tests use it.)
 */
export const MAX_STRING_BYTES = 131071;

/** Container root, when the configuration names no user. */
export function rootUser(): User {
  return { uid: 0, gid: 0, additionalGids: [] };
}

export function defaultEnv(uid: number, terminal: boolean): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: uid === 0 ? '/root' : '/',
    TERM: terminal ? 'xterm' : 'dumb',
  };
}

export function validateArgs(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError('args', 'must be a non-empty array of strings');
  return v.map((a, i) => str(a, `args[${i}]`, { allowEmpty: i > 0 }));
}

export function validateEnv(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) throw new ConfigError('env', 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.length === 0 || k.includes('=') || k.includes('\0'))
      throw new ConfigError(`env[${JSON.stringify(k)}]`, "is not a valid variable name (empty, or contains '=' or NUL)");
    out[k] = str(val, `env.${k}`, { allowEmpty: true });
  }
  return out;
}

/** Each argument and environment entry must fit in one attribute of the bootstrap message. */
export function checkStringSizes(args: string[], env: Record<string, string>, envField: string): void {
  args.forEach((a, i) => {
    const n = Buffer.byteLength(a);
    if (n > MAX_STRING_BYTES) throw new ConfigError(`args[${i}]`, `is ${n} bytes; the kernel takes at most ${MAX_STRING_BYTES} bytes in one argument`);
  });
  for (const [k, v] of Object.entries(env)) {
    const n = Buffer.byteLength(k) + 1 + Buffer.byteLength(v);
    if (n > MAX_STRING_BYTES)
      throw new ConfigError(`${envField}.${k}`, `is ${n} bytes as "${k}=..."; the kernel takes at most ${MAX_STRING_BYTES} bytes in one environment entry`);
  }
}

export function validateCwd(v: unknown, field: string, fallback: string): string {
  return v === undefined ? fallback : absPath(v, field);
}

export function validateUser(v: unknown, field: string): User {
  if (!isPlainObject(v)) throw new ConfigError(field, 'must be an object { uid, gid, additionalGids? }');
  onlyKnownKeys(v, keysOf<UserConfig>({ uid: true, gid: true, additionalGids: true }), `${field}.`, 'a user field');
  const user = { uid: int(v.uid, `${field}.uid`, 0, MAX_ID), gid: int(v.gid, `${field}.gid`, 0, MAX_ID), additionalGids: [] as number[] };
  if (v.additionalGids !== undefined) {
    if (!Array.isArray(v.additionalGids)) throw new ConfigError(`${field}.additionalGids`, 'must be an array of gids');
    user.additionalGids = v.additionalGids.map((g, i) => int(g, `${field}.additionalGids[${i}]`, 0, MAX_ID));
  }
  return user;
}

function stdioEntry(e: unknown, field: string): StdioEntry {
  if (e === 'pipe' || e === 'inherit' || e === 'ignore') return e;
  if (typeof e === 'number' && Number.isInteger(e) && e >= 0 && e < 1 << 20) return e;
  throw new ConfigError(field, `must be 'pipe', 'inherit', 'ignore' or a file descriptor, got ${describe(e)}`);
}

/** One entry per fd (at least 0, 1 and 2); an fd given must be open here, as the container gets a copy. */
export function validateStdio(v: unknown): StdioEntry[] {
  const out = stdioEntries(v);
  out.forEach((e, i) => {
    if (typeof e !== 'number') return;
    try {
      fs.fstatSync(e);
    } catch {
      throw new ConfigError(`stdio[${i}]`, `is fd ${e}, which is not open in this process`);
    }
  });
  return out;
}

function stdioEntries(v: unknown): StdioEntry[] {
  if (v === undefined) return ['pipe', 'pipe', 'pipe'];
  if (typeof v === 'string') {
    const e = stdioEntry(v, 'stdio');
    return [e, e, e];
  }
  if (!Array.isArray(v)) throw new ConfigError('stdio', `must be a string or an array, got ${describe(v)}`);
  if (v.length > 64) throw new ConfigError('stdio', 'has more than 64 entries');
  const out = v.map((e, i) => stdioEntry(e, `stdio[${i}]`));
  while (out.length < 3) out.push('ignore');
  return out;
}

/** true or { cols, rows } -> a size (default 80x24); stdin/stdout/stderr then come from the pty. */
export function validateTerminal(v: unknown, field: string, stdio: StdioEntry[]): TerminalSize | null {
  if (v === undefined || v === false) return null;
  let size: TerminalSize = { cols: 80, rows: 24 };
  if (isPlainObject(v)) {
    onlyKnownKeys(v, keysOf<TerminalOption>({ cols: true, rows: true }), `${field}.`, 'a terminal option');
    size = {
      cols: v.cols === undefined ? 80 : int(v.cols, `${field}.cols`, 1, 65535),
      rows: v.rows === undefined ? 24 : int(v.rows, `${field}.rows`, 1, 65535),
    };
  } else if (v !== true) {
    throw new ConfigError(field, `must be a boolean or { cols, rows }, got ${describe(v)}`);
  }
  if (stdio.slice(0, 3).some((e) => e !== 'pipe'))
    throw new ConfigError(field, 'gives the process a pty as stdin, stdout and stderr; leave stdio[0..2] as "pipe"');
  return size;
}
