/**
 * Namespaces: which Linux namespaces a container gets, each created fresh or joined
 * by path (README.md, "Configuration").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { native } from './native.js';
import { didYouMean } from './suggest.js';
import { keysOf, onlyKnownKeys } from './config-values.js';

export type NamespaceType = 'user' | 'pid' | 'mount' | 'uts' | 'ipc' | 'net' | 'cgroup' | 'time';

export interface NamespaceEntry {
  type: NamespaceType;
  path?: string;
}
const ENTRY_KEYS = keysOf<NamespaceEntry>({ type: true, path: true });

/**
 * The addon's namespace table (src-native/protocol/namespace_table.h): the one both
 * languages use. The type list is TypeScript's; loading fails if the two differ.
 */
export const NAMESPACE_TYPES = ['user', 'pid', 'mount', 'uts', 'ipc', 'net', 'cgroup', 'time'] as const;
const TABLE = new Map(native.constants.namespaces.map((n) => [n.type, n]));
if (TABLE.size !== NAMESPACE_TYPES.length || NAMESPACE_TYPES.some((t) => !TABLE.has(t)))
  throw new Error(`nsjail-ts: the addon's namespace table differs (${[...TABLE.keys()].join(',')}): rebuild it`);
const CLONE_FLAGS = Object.fromEntries(NAMESPACE_TYPES.map((t) => [t, TABLE.get(t)!.cloneFlag])) as Record<NamespaceType, number>;
const PROC_NAMES = Object.fromEntries(NAMESPACE_TYPES.map((t) => [t, TABLE.get(t)!.proc])) as Record<NamespaceType, string>;

/** The order of Namespaces.all(); user first, as every other one is created inside it. */
const ALL_TYPES: NamespaceType[] = [...NAMESPACE_TYPES];

let timeNamespaceSupported: boolean | undefined;
/** Linux 5.6+ built with CONFIG_TIME_NS shows /proc/self/ns/time. */
export function kernelHasTimeNamespace(): boolean {
  if (timeNamespaceSupported === undefined) {
    try {
      fs.readlinkSync('/proc/self/ns/time');
      timeNamespaceSupported = true;
    } catch {
      timeNamespaceSupported = false;
    }
  }
  return timeNamespaceSupported;
}

export function isNamespaceType(value: unknown): value is NamespaceType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CLONE_FLAGS, value);
}

/** The error for a type that is not a namespace: the valid ones, and the one a typo is closest to. */
export function unknownNamespaceType(type: unknown): ConfigError {
  // 'mnt' is the name under /proc/<pid>/ns of 'mount'.
  const byProcName = ALL_TYPES.find((t) => PROC_NAMES[t] === type);
  const hint = byProcName ? ` (did you mean '${byProcName}'?)` : typeof type === 'string' ? didYouMean(type, ALL_TYPES) : '';
  return new ConfigError('namespaces', `has an unknown type ${JSON.stringify(type)}${hint}; the types are ${ALL_TYPES.join(', ')}`);
}

export class Namespaces implements Iterable<NamespaceEntry> {
  private readonly entries = new Map<NamespaceType, NamespaceEntry>();

  constructor(entries?: Iterable<NamespaceType | NamespaceEntry>) {
    if (entries === undefined) return;
    if (typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function')
      throw new ConfigError('namespaces', 'must be an iterable of namespace types or { type, path } entries');
    let i = 0;
    for (const e of entries) {
      if (typeof e === 'string') this.add(e);
      else if (e && typeof e === 'object') {
        // { type: 'net', pth } would create a namespace instead of joining one.
        onlyKnownKeys(e as unknown as Record<string, unknown>, ENTRY_KEYS, `namespaces[${i}].`, 'a field of a namespace entry (type, path)');
        this.add(e.type, e.path);
      } else throw new ConfigError('namespaces', `has an invalid entry ${JSON.stringify(e)}`);
      i++;
    }
  }

  /** user, pid, mount, uts, ipc, net, cgroup, and time where the kernel has it. */
  static all(): Namespaces {
    return new Namespaces(ALL_TYPES.filter((t) => t !== 'time' || kernelHasTimeNamespace()));
  }

  /** Adds a namespace: created fresh, or with `path`, joined (setns) instead. */
  add(type: NamespaceType, path?: string): this {
    if (!isNamespaceType(type)) throw unknownNamespaceType(type);
    if (this.entries.has(type)) throw new ConfigError('namespaces', `has '${type}' twice`);
    if (path !== undefined) validateNamespacePath(type, path);
    this.entries.set(type, path === undefined ? { type } : { type, path });
    return this;
  }

  remove(type: NamespaceType): boolean {
    return this.entries.delete(type);
  }

  contains(type: NamespaceType): boolean {
    return this.entries.has(type);
  }

  pathOf(type: NamespaceType): string | undefined {
    return this.entries.get(type)?.path;
  }

  /** The namespaces to create: entries without a path. */
  isNew(type: NamespaceType): boolean {
    const e = this.entries.get(type);
    return e !== undefined && e.path === undefined;
  }

  /** CLONE_NEW* bits of the entries that have no path. */
  cloneFlags(): number {
    let flags = 0;
    for (const e of this.entries.values()) if (e.path === undefined) flags |= CLONE_FLAGS[e.type];
    return flags >>> 0;
  }

  get size(): number {
    return this.entries.size;
  }

  [Symbol.iterator](): Iterator<NamespaceEntry> {
    const ordered = ALL_TYPES.filter((t) => this.entries.has(t)).map((t) => ({ ...this.entries.get(t)! }));
    return ordered[Symbol.iterator]();
  }

  toJSON(): NamespaceEntry[] {
    return [...this];
  }

  /** 'mount' -> 'mnt', 'net' -> 'net', ... (the names under /proc/<pid>/ns/). */
  static procName(type: NamespaceType): string {
    if (!isNamespaceType(type)) throw unknownNamespaceType(type);
    return PROC_NAMES[type];
  }

  static pathFor(pid: number, type: NamespaceType): string {
    if (!Number.isInteger(pid) || pid <= 0) throw new ConfigError('pid', `must be a positive integer, got ${pid}`);
    return `/proc/${pid}/ns/${Namespaces.procName(type)}`;
  }
}

function validateNamespacePath(type: NamespaceType, p: unknown): void {
  const field = `namespaces.${type}.path`;
  if (typeof p !== 'string' || p.length === 0) throw new ConfigError(field, 'must be a non-empty string');
  if (!path.isAbsolute(p)) throw new ConfigError(field, `must be absolute, got ${JSON.stringify(p)}`);
  // runc's NS_PATHS attribute separates entries with commas and carries no escapes.
  if (p.includes(',') || p.includes('\0')) throw new ConfigError(field, 'must not contain a comma or NUL byte');
}
