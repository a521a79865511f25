/**
 * The value checks every configuration field is made of. Each takes the field's name
 * and throws a ConfigError that starts with it.
 */
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { didYouMean } from './suggest.js';

/** The highest uid or gid: (uid_t)-1 means "no change" to the kernel. */
export const MAX_ID = 0xfffffffe;
/** Bytes, without the NUL: the kernel refuses longer paths. */
const PATH_MAX = 4095;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: short, and never the whole of a long string. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function str(v: unknown, field: string, opts: { allowEmpty?: boolean } = {}): string {
  if (typeof v !== 'string') throw new ConfigError(field, `must be a string, got ${describe(v)}`);
  if (!opts.allowEmpty && v.length === 0) throw new ConfigError(field, 'must not be empty');
  if (v.includes('\0')) throw new ConfigError(field, 'must not contain a NUL byte');
  return v;
}

export function absPath(v: unknown, field: string): string {
  const p = str(v, field);
  if (!path.isAbsolute(p)) throw new ConfigError(field, `must be an absolute path, got ${JSON.stringify(p)}`);
  if (p.split('/').includes('..')) throw new ConfigError(field, `must not contain '..', got ${JSON.stringify(p)}`);
  if (Buffer.byteLength(p) > PATH_MAX) throw new ConfigError(field, `must be at most ${PATH_MAX} bytes (PATH_MAX), got ${Buffer.byteLength(p)}`);
  return p;
}

export function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(field, `must be an integer, got ${describe(v)}`);
  if (v < min || v > max) throw new ConfigError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, `must be a boolean, got ${describe(v)}`);
  return v;
}

/** An optional boolean field, `fallback` when not given. */
export function flag(v: unknown, field: string, fallback: boolean): boolean {
  return v === undefined ? fallback : bool(v, field);
}

/**
 * Every key of `v` must be one of `known`; `what` says what they are ("a limit"). The
 * error suggests the known key a typo is closest to.
 */
export function onlyKnownKeys(v: Record<string, unknown>, known: readonly string[], prefix: string, what: string): void {
  for (const k of Object.keys(v)) if (!known.includes(k)) throw new ConfigError(`${prefix}${k}`, `is not ${what}${didYouMean(k, known)}`);
}

/**
 * The keys of T, from an object that must name every one of them and nothing else: the
 * list of fields a validator accepts cannot drift from the type users write against.
 */
export function keysOf<T>(keys: { [K in keyof Required<T>]: true }): Array<keyof T & string> {
  return Object.keys(keys) as Array<keyof T & string>;
}

/** An options argument: undefined (none given) or a plain object whose keys are all `known`. */
export function optionsObject(v: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) throw new ConfigError('options', `must be an object, got ${describe(v)}`);
  onlyKnownKeys(v, known, 'options.', what);
  return v;
}
