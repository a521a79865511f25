/** uid/gid maps: the caller as root by default; ranges through newuidmap/newgidmap (rootless) or directly (root). */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, Container, ContainerError } from '../../dist/index.js';
import { sharedDir } from '../support/host.js';

const euid = process.geteuid!();
const egid = process.getegid!();
const rootless = euid !== 0;

/** The caller's subordinate range (as root, any unused range will do). */
function subRange(file: string): { start: number; count: number } | null {
  const me = os.userInfo().username;
  const line = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${me}:`)) : undefined;
  if (line) {
    const [, start, count] = line.split(':').map(Number);
    return { start, count };
  }
  return rootless ? null : { start: 500000, count: 65536 };
}
const uids = subRange('/etc/subuid');
const gids = subRange('/etc/subgid');
const haveRange = uids !== null && gids !== null && uids.count >= 65536 && gids.count >= 65536;
const helpers = !rootless || ['/usr/bin/newuidmap', '/bin/newuidmap'].some((p) => fs.existsSync(p));

function maps() {
  return {
    uidMappings: [
      { containerId: 0, hostId: euid, size: 1 },
      { containerId: 1, hostId: uids!.start, size: 65536 },
    ],
    gidMappings: [
      { containerId: 0, hostId: egid, size: 1 },
      { containerId: 1, hostId: gids!.start, size: 65536 },
    ],
  };
}

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
  if (!haveRange) console.log(`idmaps: no subordinate id range for ${os.userInfo().username} in /etc/subuid and /etc/subgid; range tests skipped`);
  if (!helpers) console.log('idmaps: newuidmap is not installed (package uidmap); range tests skipped');
});

describe('id maps', () => {
  it.skipIf(!haveRange || !helpers)(`several ranges${rootless ? ' through newuidmap/newgidmap' : ', written directly as root'}`, async () => {
    const dir = sharedDir();
    try {
      const r = await Container.run({
        args: ['/bin/sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; touch /out/f && chown 1000:1000 /out/f && echo chowned'],
        ...maps(),
        capabilities: ['CAP_CHOWN'],
        mounts: [{ type: 'bind', source: dir.path, target: '/out' }],
      });
      expect(r.stdout.toString()).toBe(`0 ${euid} 1\n1 ${uids!.start} 65536\n0 ${egid} 1\n1 ${gids!.start} 65536\nchowned\n`);
      // uid 1000 inside is the 1000th id of the range outside.
      const st = fs.statSync(path.join(dir.path, 'f'));
      expect([st.uid, st.gid]).toEqual([uids!.start + 999, gids!.start + 999]);
    } finally {
      dir.remove();
    }
  });

  it.skipIf(!haveRange || !helpers)('the main process as another user, with groups and a kept (ambient) capability', async () => {
    const r = await Container.run({
      args: ['/bin/sh', '-c', 'id -u; id -g; id -G; grep -E "^Cap(Eff|Amb):" /proc/self/status'],
      ...maps(),
      user: { uid: 1000, gid: 1000, additionalGids: [1001, 1002] },
      capabilities: ['CAP_NET_BIND_SERVICE'],
    });
    expect(r.stdout.toString()).toBe('1000\n1000\n1000 1001 1002\nCapEff:\t0000000000000400\nCapAmb:\t0000000000000400\n');
  });

  it.skipIf(!haveRange || !helpers)(
    rootless ? 'a range the caller was not given is refused by newuidmap, clearly' : 'root may map any range',
    async () => {
      const unlisted = [{ containerId: 0, hostId: uids!.start + uids!.count + 1000, size: 10 }];
      const r = await Container.run({ args: ['/bin/cat', '/proc/self/uid_map'], uidMappings: unlisted, gidMappings: unlisted }).catch((x) => x);
      if (rootless) {
        expect(r).toBeInstanceOf(ContainerError);
        expect(r.stage).toBe('parent');
        expect(r.message).toMatch(/newuidmap failed .*check \/etc\/subuid and \/etc\/subgid/);
      } else {
        expect(r.stdout.toString().trim().split(/\s+/).map(Number)).toEqual([0, uids!.start + uids!.count + 1000, 10]);
      }
    },
  );

  it('a user outside the maps is a ConfigError', async () => {
    // The default maps hold the caller alone (normal caller) or ids 0..65535 (root caller).
    const outside = rootless ? 1000 : 70000;
    await expect(Container.run({ args: ['/bin/true'], user: { uid: outside, gid: 0 } })).rejects.toThrow(ConfigError);
    await expect(Container.run({ args: ['/bin/true'], user: { uid: outside, gid: 0 } })).rejects.toThrow(new RegExp(`user\\.uid ${outside} is not mapped`));
  });
});
