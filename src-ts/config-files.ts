/**
 * `files` (fixtures: files the program finds in place when it starts) and a run's
 * `outputs` (files read back once it has ended). Where each fixture may go is decided
 * with the mount plan (fixtures.ts).
 */
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { absPath, describe, int, isPlainObject, keysOf, onlyKnownKeys } from './config-values.js';
import { normalTarget } from './config-filesystem.js';

/** A fixture's content: text (UTF-8), bytes, or either with a mode (default 0o644). */
export type FileContent = string | Uint8Array | { content: string | Uint8Array; mode?: number };

export interface Fixture {
  path: string;
  content: Buffer;
  mode: number;
}

const SETID = 0o6000;

/** A mode for a file made for the caller: permissions and the sticky bit, never set-user-ID or set-group-ID. */
export function fileMode(v: unknown, field: string): number {
  const mode = int(v, field, 0, 0o7777);
  if (mode & SETID) throw new ConfigError(field, 'must not have the set-user-ID or set-group-ID bit');
  return mode;
}

export function validateFiles(v: unknown): Fixture[] {
  if (v === undefined) return [];
  if (!isPlainObject(v)) throw new ConfigError('files', `must be an object of path -> content, got ${describe(v)}`);
  const out: Fixture[] = [];
  const byPath = new Map<string, string>();
  for (const [key, value] of Object.entries(v)) {
    const f = `files[${JSON.stringify(key)}]`;
    const p = normalTarget(absPath(key, f));
    if (p === '/' || key.endsWith('/')) throw new ConfigError(f, 'must name a file, not a directory');
    const clash = byPath.get(p);
    if (clash !== undefined) throw new ConfigError(f, `names the same file as files[${JSON.stringify(clash)}]`);
    byPath.set(p, key);
    out.push({ path: p, ...content(value, f) });
  }
  // A fixture cannot also be a directory of another.
  for (const fx of out)
    for (let dir = path.posix.dirname(fx.path); dir !== '/'; dir = path.posix.dirname(dir))
      if (byPath.has(dir))
        throw new ConfigError(`files[${JSON.stringify(byPath.get(dir))}]`, `is a file, but files[${JSON.stringify(byPath.get(fx.path))}] needs it to be a directory`);
  return out;
}

function content(v: unknown, f: string): { content: Buffer; mode: number } {
  if (typeof v === 'string') return { content: Buffer.from(v, 'utf8'), mode: 0o644 };
  if (v instanceof Uint8Array) return { content: Buffer.from(v.buffer, v.byteOffset, v.byteLength), mode: 0o644 };
  if (isPlainObject(v)) {
    onlyKnownKeys(v, keysOf<Exclude<FileContent, string | Uint8Array>>({ content: true, mode: true }), `${f}.`, 'a fixture option (content, mode)');
    const c = v.content;
    if (typeof c !== 'string' && !(c instanceof Uint8Array)) throw new ConfigError(`${f}.content`, `must be a string or a Buffer, got ${describe(c)}`);
    return { content: content(c, `${f}.content`).content, mode: v.mode === undefined ? 0o644 : fileMode(v.mode, `${f}.mode`) };
  }
  throw new ConfigError(f, `must be a string, a Buffer or { content, mode }, got ${describe(v)}`);
}

/** Container.run's `outputs`: absolute paths of files or folders to read back. */
export function validateOutputs(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('outputs', 'must be an array of absolute paths');
  const seen = new Set<string>();
  return v.map((p, i) => {
    const out = normalTarget(absPath(p, `outputs[${i}]`));
    if (seen.has(out)) throw new ConfigError(`outputs[${i}]`, `${JSON.stringify(p)} is given twice`);
    seen.add(out);
    return out;
  });
}
