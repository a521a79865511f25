import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { ConfigError, Namespaces } from '../../dist/index.js';

describe('Namespaces', () => {
  it('all() has every namespace, time only where the kernel has it', () => {
    const types = [...Namespaces.all()].map((e) => e.type);
    expect(types.slice(0, 7)).toEqual(['user', 'pid', 'mount', 'uts', 'ipc', 'net', 'cgroup']);
    expect(types.includes('time')).toBe(fs.existsSync('/proc/self/ns/time'));
  });

  it('adds, removes, finds and joins by path', () => {
    const ns = new Namespaces(['user', 'pid']).add('net', '/proc/1/ns/net');
    expect(ns.contains('net')).toBe(true);
    expect(ns.pathOf('net')).toBe('/proc/1/ns/net');
    expect(ns.pathOf('pid')).toBeUndefined();
    expect(ns.remove('pid')).toBe(true);
    expect(ns.remove('pid')).toBe(false);
    expect([...ns]).toEqual([{ type: 'user' }, { type: 'net', path: '/proc/1/ns/net' }]);
  });

  it('cloneFlags() has the CLONE_NEW* bits of the namespaces to create, not those joined', () => {
    expect(new Namespaces(['user']).cloneFlags()).toBe(0x10000000);
    expect(new Namespaces(['mount', 'uts', 'ipc']).cloneFlags()).toBe(0x00020000 | 0x04000000 | 0x08000000);
    expect(new Namespaces(['net', 'pid', 'cgroup', 'time']).cloneFlags()).toBe(0x40000000 | 0x20000000 | 0x02000000 | 0x80);
    expect(new Namespaces([{ type: 'net', path: '/proc/1/ns/net' }, 'pid']).cloneFlags()).toBe(0x20000000);
  });

  it('names and paths under /proc', () => {
    expect(Namespaces.procName('mount')).toBe('mnt');
    expect(Namespaces.procName('net')).toBe('net');
    expect(Namespaces.pathFor(4242, 'mount')).toBe('/proc/4242/ns/mnt');
  });

  it('refuses duplicates, unknown types and relative or comma paths with a ConfigError', () => {
    expect(() => new Namespaces(['user', 'user'])).toThrow(ConfigError);
    expect(() => new Namespaces(['user', 'user'])).toThrow(/twice/);
    expect(() => new Namespaces(['users' as never])).toThrow(/unknown type "users"/);
    expect(() => new Namespaces().add('net', 'proc/1/ns/net')).toThrow(/absolute/);
    expect(() => new Namespaces().add('net', '/a,b')).toThrow(/comma/);
    expect(() => Namespaces.procName('bogus' as never)).toThrow(ConfigError);
    const err = (() => {
      try {
        new Namespaces(['pid', 'pid']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TypeError);
  });
});
