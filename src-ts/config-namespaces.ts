/**
 * The fields that say which namespaces the container has and what each new one is
 * given: namespaces, hostname (uts), uidMappings and gidMappings (user), network (net).
 */
import { ConfigError } from './errors.js';
import { Namespaces, isNamespaceType, unknownNamespaceType, type NamespaceEntry, type NamespaceType } from './namespaces.js';
import { describe, int, isPlainObject, keysOf, MAX_ID, onlyKnownKeys, str } from './config-values.js';

export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

/** `network`: 'loopback' (lo up), 'none' (lo down) in a new net namespace; 'host': none of its own. */
export type NetworkMode = 'none' | 'loopback' | 'host';
/** 'joined': the net namespace is joined by path, and is left as it is. */
export type Network = NetworkMode | 'joined';

/** The kernel's limit on the ranges of one uid_map or gid_map. */
const MAX_RANGES = 340;
/** The kernel's limit on a hostname (UTS_LEN), in bytes. */
const MAX_HOSTNAME_BYTES = 64;

export function normalizeNamespaces(v: unknown): Namespaces {
  if (v === undefined) return Namespaces.all();
  if (v instanceof Namespaces) return new Namespaces(v);
  if (typeof v === 'string' || v === null || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function')
    throw new ConfigError(
      'namespaces',
      `must be a Namespaces or an array of namespace types (e.g. ['user', 'pid', 'mount', 'net']), got ${describe(v)}${objectHint(v)}`,
    );
  for (const e of v as Iterable<unknown>) if (typeof e === 'string' && !isNamespaceType(e)) throw unknownNamespaceType(e);
  return new Namespaces(v as Iterable<NamespaceType | NamespaceEntry>);
}

/** `{ net: true, nett: true }` reads like a set of types: say which keys are not types. */
function objectHint(v: unknown): string {
  if (!isPlainObject(v)) return '';
  const wrong = Object.keys(v).find((k) => !isNamespaceType(k));
  if (wrong !== undefined) return `; ${unknownNamespaceType(wrong).message.replace(/^namespaces /, '')}`;
  return `; list them: [${Object.keys(v).map((k) => `'${k}'`).join(', ')}]`;
}

/** Default 'sandbox' with a new uts namespace; none without one. */
export function validateHostname(v: unknown, namespaces: Namespaces): string | undefined {
  if (v === undefined) return namespaces.isNew('uts') ? 'sandbox' : undefined;
  const hostname = str(v, 'hostname');
  const bytes = Buffer.byteLength(hostname);
  if (bytes > MAX_HOSTNAME_BYTES) throw new ConfigError('hostname', `must be at most ${MAX_HOSTNAME_BYTES} bytes (UTF-8), got ${bytes}`);
  if (!namespaces.isNew('uts')) throw new ConfigError('hostname', "requires the 'uts' namespace");
  return hostname;
}

export function validateMappings(c: Record<string, unknown>, namespaces: Namespaces): { uidMappings?: IdMapping[]; gidMappings?: IdMapping[] } {
  const uidMappings = c.uidMappings === undefined ? undefined : validateIdMap(c.uidMappings, 'uidMappings');
  const gidMappings = c.gidMappings === undefined ? undefined : validateIdMap(c.gidMappings, 'gidMappings');
  if ((uidMappings || gidMappings) && !namespaces.isNew('user'))
    throw new ConfigError(uidMappings ? 'uidMappings' : 'gidMappings', "requires a new 'user' namespace");
  return { uidMappings, gidMappings };
}

function validateIdMap(v: unknown, field: string): IdMapping[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(field, 'must be a non-empty array of { containerId, hostId, size }');
  if (v.length > MAX_RANGES) throw new ConfigError(field, `has more than ${MAX_RANGES} ranges (the kernel limit)`);
  const out = v.map((m, i) => {
    const f = `${field}[${i}]`;
    if (!isPlainObject(m)) throw new ConfigError(f, 'must be an object { containerId, hostId, size }');
    onlyKnownKeys(m, keysOf<IdMapping>({ containerId: true, hostId: true, size: true }), `${f}.`, 'an id mapping field');
    return {
      containerId: int(m.containerId, `${f}.containerId`, 0, MAX_ID),
      hostId: int(m.hostId, `${f}.hostId`, 0, MAX_ID),
      size: int(m.size, `${f}.size`, 1, MAX_ID),
    };
  });
  // One container id with two host ids is ambiguous; one host id with two container
  // ids would give one host user two ids inside. The kernel refuses both.
  if (overlaps(out, 'containerId')) throw new ConfigError(field, 'has overlapping container id ranges');
  if (overlaps(out, 'hostId')) throw new ConfigError(field, 'has overlapping host id ranges');
  return out;
}

function overlaps(mappings: IdMapping[], side: 'containerId' | 'hostId'): boolean {
  const sorted = [...mappings].sort((a, b) => a[side] - b[side]);
  return sorted.some((m, i) => i > 0 && sorted[i - 1][side] + sorted[i - 1].size > m[side]);
}

/** Whether `id` (inside the container) is mapped. */
export function mapsId(mappings: IdMapping[], id: number): boolean {
  return mappings.some((m) => id >= m.containerId && id < m.containerId + m.size);
}

/** Default 'loopback' with a new net namespace, 'host' without one; a joined one is left alone. */
export function validateNetwork(v: unknown, namespaces: Namespaces): Network {
  const fallback = namespaces.isNew('net') ? 'loopback' : namespaces.contains('net') ? 'joined' : 'host';
  if (v === undefined) return fallback;
  if (v !== 'none' && v !== 'loopback' && v !== 'host') throw new ConfigError('network', `must be 'none', 'loopback' or 'host', got ${describe(v)}`);
  if (fallback === 'joined') throw new ConfigError('network', 'cannot be set when the net namespace is joined by path');
  if (v === 'host' && fallback !== 'host') throw new ConfigError('network', "'host' contradicts the 'net' namespace; remove 'net' from namespaces");
  if (v !== 'host' && fallback === 'host') throw new ConfigError('network', `'${v}' requires the 'net' namespace`);
  return v;
}
