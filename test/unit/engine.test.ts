/** What src-ts/engine.ts reads of the kernel's files, against their formats (the engine itself: test/integration/engines.test.ts). */
import { describe, expect, it } from 'vitest';
import { idRanges, mapsRange, parseUidMap, procOvermounts } from '../../dist/engine.js';

describe('engine view', () => {
  it("a masked /proc: mounts below it, but not binfmt_misc's empty directory (the kernel allows that one)", () => {
    const mountinfo = [
      '78 76 0:44 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
      '52 78 0:44 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw',
      '57 78 0:45 /null /proc/keys rw,nosuid,noexec - tmpfs tmpfs rw,size=65536k,mode=755',
      '90 78 0:60 / /proc/sys/fs/binfmt_misc rw,relatime - binfmt_misc binfmt_misc rw',
      '91 76 0:61 / /processes rw,relatime - tmpfs tmpfs rw',
      '92 78 0:45 /null /proc/a\\040b rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(procOvermounts(mountinfo)).toEqual(['/proc/bus', '/proc/keys', '/proc/a b']);
    expect(procOvermounts('22 27 0:21 / /proc rw,relatime - proc proc rw\n')).toEqual([]);
  });

  it('uid_map: the initial user namespace is no nesting; a rootless engine is', () => {
    expect(parseUidMap('         0          0 4294967295\n')).toBeUndefined();
    const nested = parseUidMap('         0        999          1\n         1     200000      65536\n')!;
    expect(nested).toEqual([{ inside: 0, outside: 999, size: 1 }, { inside: 1, outside: 200000, size: 65536 }]);
    expect(idRanges(nested)).toBe('0..65536');
    expect(idRanges([{ inside: 0, outside: 5, size: 10 }, { inside: 100, outside: 50, size: 1 }])).toBe('0..9, 100..100');
    expect(mapsRange(nested, 1, 65536)).toBe(true);
    expect(mapsRange(nested, 0x6fff0000, 65536)).toBe(false);
  });
});
