/** The setuid guard in a real sandbox: no set-user-ID or set-group-ID file can be made, ordinary modes still work. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Container, type ContainerConfig } from '../../dist/index.js';
import { defaultSeccompPolicy } from '../../dist/seccomp.js';
import { withSetuidGuard } from '../../dist/setuid-guard.js';
import { leaks, snapshot } from '../support/host.js';

const SETID = [0o4755, 0o2755, 0o6755, 0o4000, 0o2000];
const ORDINARY = [0o755, 0o644, 0o1777, 0o700];

// For each mode: what chmod, fchmod, open(O_CREAT), mkdir and mknod(S_IFREG) answered, and
// the mode the file then has (umask 0, so that nothing hides a bit).
const script = `
import os, errno, stat, json
os.umask(0)
def attempt(f):
    try:
        f()
        return 'ok'
    except OSError as e:
        return errno.errorcode[e.errno]
def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)
out = {}
for m in ${JSON.stringify([...SETID, ...ORDINARY])}:
    base = '/tmp/f%o' % m
    open(base, 'w').close()
    os.chmod(base, 0o600)
    fd = os.open(base, os.O_RDONLY)
    r = {}
    r['chmod'] = attempt(lambda: os.chmod(base, m))
    r['chmod_mode'] = mode(base)
    os.chmod(base, 0o600)
    r['fchmod'] = attempt(lambda: os.fchmod(fd, m))
    r['fchmod_mode'] = mode(base)
    os.close(fd)
    r['open'] = attempt(lambda: os.close(os.open(base + '.o', os.O_CREAT | os.O_WRONLY, m)))
    r['open_mode'] = mode(base + '.o') if r['open'] == 'ok' else None
    r['mkdir'] = attempt(lambda: os.mkdir(base + '.d', m))
    r['mknod'] = attempt(lambda: os.mknod(base + '.n', stat.S_IFREG | m))
    r['mknod_mode'] = mode(base + '.n') if r['mknod'] == 'ok' else None
    out['%o' % m] = r
print(json.dumps(out))
`;

type Outcome = Record<string, { chmod: string; chmod_mode: number; fchmod: string; fchmod_mode: number; open: string; open_mode: number | null; mkdir: string; mknod: string; mknod_mode: number | null }>;

async function attempts(seccomp: ContainerConfig['seccomp']): Promise<Outcome> {
  const r = await Container.run({ args: ['python3', '-c', script], seccomp, limits: { wallTimeMs: 20_000 } });
  expect(r.stderr.toString()).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout.toString()) as Outcome;
}

beforeAll(async () => {
  await Container.run({ args: ['/bin/true'] });
});

describe('the setuid guard', () => {
  it('without it, a sandbox can make setuid and setgid files (what the guard is for)', async () => {
    const out = await attempts('default');
    for (const m of SETID) {
      const r = out[m.toString(8)]!;
      expect(r, m.toString(8)).toMatchObject({ chmod: 'ok', fchmod: 'ok', open: 'ok', mkdir: 'ok', mknod: 'ok' });
      for (const made of [r.chmod_mode, r.fchmod_mode, r.open_mode, r.mknod_mode]) expect(made, m.toString(8)).toBe(m);
    }
  });

  for (const [name, policy] of [
    ['with the default policy', () => withSetuidGuard(defaultSeccompPolicy)],
    ["alone (seccomp 'none')", () => withSetuidGuard(null)],
  ] as const) {
    it(`${name}: every setuid/setgid mode fails with EPERM, ordinary modes (sticky too) work`, async () => {
      const before = snapshot();
      const out = await attempts(policy());
      for (const m of SETID) {
        const r = out[m.toString(8)]!;
        expect(r, m.toString(8)).toMatchObject({ chmod: 'EPERM', fchmod: 'EPERM', open: 'EPERM', mkdir: 'EPERM', mknod: 'EPERM' });
        // Nothing was made, and the existing file kept its mode.
        expect([r.chmod_mode, r.fchmod_mode, r.open_mode, r.mknod_mode]).toEqual([0o600, 0o600, null, null]);
      }
      for (const m of ORDINARY) {
        const r = out[m.toString(8)]!;
        expect(r, m.toString(8)).toMatchObject({ chmod: 'ok', fchmod: 'ok', open: 'ok', mkdir: 'ok', mknod: 'ok' });
        expect([r.chmod_mode, r.fchmod_mode, r.open_mode, r.mknod_mode]).toEqual([m, m, m, m]);
      }
      expect(await leaks(before)).toEqual([]);
    });
  }
});
