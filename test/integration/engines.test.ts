/**
 * Inside a container engine (docs/ENGINES.md): a podman container (runc) running node and
 * this library, with the engine's defaults and with each restriction lifted. As root the
 * engine is rootful; in the rootless pass it is a rootless podman of the test user.
 * Skipped, with the reason printed, only where podman or runc is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from '../support/host.js';
import { cliPath, libraryPath, makePodman, podmanMissing, type Podman } from '../support/podman.js';

const missing = podmanMissing();
if (missing) console.log(`engines.test.ts skipped: ${missing}`);

interface Probe {
  ok: boolean;
  stdout?: string;
  error?: { message: string; syscall?: string; path?: string; code?: string; hint?: string };
}

/** Runs each config with Container.run inside the container; their outcomes in order, and node's stderr (warnings). */
const PROBE = `
const { Container } = require(${JSON.stringify(libraryPath)});
(async () => {
  const out = [];
  for (const config of JSON.parse(process.argv[1])) {
    try {
      const r = await Container.run({ args: ['/bin/sh', '-c', 'hostname; ls /proc | grep -c "^[0-9]"'], limits: { wallTimeMs: 10000 }, ...config });
      out.push({ ok: r.exitCode === 0, stdout: r.stdout.toString() });
    } catch (e) {
      out.push({ ok: false, error: { message: e.message, syscall: e.syscall, path: e.path, code: e.code, hint: e.hint } });
    }
  }
  console.log(JSON.stringify(out));
})();
`;

const WITHOUT_PID = { namespaces: ['user', 'mount', 'uts', 'ipc', 'net', 'cgroup'] };
const SYSTEMPATHS = ['--security-opt', 'systempaths=unconfined'];
const SECCOMP = ['--security-opt', 'seccomp=unconfined'];

describe.skipIf(missing !== undefined)('inside podman (runc)', () => {
  let podman: Podman;
  beforeAll(async () => {
    podman = await makePodman();
  }, 120_000);
  afterAll(async () => {
    await podman?.destroy();
  }, 120_000);

  async function probe(flags: string[], configs: object[]): Promise<{ results: Probe[]; stderr: string }> {
    const r = await podman.run(flags, ['node', '-e', PROBE, JSON.stringify(configs)]);
    expect(r.code, r.stderr).toBe(0);
    return { results: JSON.parse(r.stdout) as Probe[], stderr: r.stderr };
  }

  const NOTICE = /\[NSJAIL_TS_NOTICE\] Warning: hostname: the default hostname was not set: sethostname is refused here/;

  if (isRoot) {
    it("with the engine's defaults: /proc is masked, so a pid namespace fails with the fix; without one it runs, its default hostname left out with a warning", async () => {
      const { results, stderr } = await probe([], [{}, WITHOUT_PID, { ...WITHOUT_PID, hostname: 'box' }]);
      expect(results[0].ok).toBe(false);
      expect(results[0].error).toMatchObject({ syscall: 'mount', path: '/proc', code: 'EPERM' });
      expect(results[0].error!.hint).toMatch(/^Podman masks \d+ paths of \/proc .*--security-opt systempaths=unconfined .*leave 'pid' out of namespaces/);
      expect(results[1]).toMatchObject({ ok: true });
      expect(results[1].stdout).not.toMatch(/^sandbox\n/);
      expect(stderr).toMatch(NOTICE);
      // A hostname asked for is never dropped: it fails, naming the engine's filter.
      expect(results[2].error).toMatchObject({ syscall: 'sethostname', code: 'EPERM' });
      expect(results[2].error!.hint).toMatch(/seccomp filter \(Podman's profile\) that refuses sethostname.*--security-opt seccomp=unconfined/);
    }, 60_000);

    it('with systempaths=unconfined: a pid namespace of its own; the default hostname left out (warning), an explicit one fails with the fix', async () => {
      const { results, stderr } = await probe(SYSTEMPATHS, [{}, { hostname: 'box' }]);
      expect(results[0]).toMatchObject({ ok: true });
      // Its own pid namespace: the shell, ls and grep (and the init) are all there is.
      expect(Number(results[0].stdout!.split('\n')[1])).toBeLessThan(6);
      expect(stderr).toMatch(NOTICE);
      expect(results[1].error).toMatchObject({ syscall: 'sethostname', code: 'EPERM' });
      expect(results[1].error!.message).toMatch(/^sethostname \(stage init\): EPERM: operation not permitted \(box\)\. this process runs under a seccomp filter/);
    }, 60_000);

    it('with systempaths=unconfined and seccomp=unconfined: everything, hostname included, and no warning', async () => {
      const { results, stderr } = await probe([...SYSTEMPATHS, ...SECCOMP], [{}, { hostname: 'box' }]);
      expect(results.map((r) => r.stdout?.split('\n')[0])).toEqual(['sandbox', 'box']);
      expect(stderr).not.toMatch(/NSJAIL_TS_NOTICE/);
    }, 60_000);

    it("doctor names the engine's restrictions with their fixes, each true there", async () => {
      const r = await podman.run([], ['node', cliPath, 'doctor', '--json']);
      expect(r.code).toBe(1);
      const { usable, findings } = JSON.parse(r.stdout) as { usable: boolean; findings: Array<{ check: string; level: string; found: string; fix?: string }> };
      const get = (check: string) => findings.find((f) => f.check === check)!;
      expect(usable).toBe(false);
      expect(get('container engine')).toMatchObject({ level: 'info', found: expect.stringMatching(/^inside Podman \(.*container=podman/) });
      expect(get('/proc')).toMatchObject({ level: 'fail', found: expect.stringMatching(/^masked: .*without one, a sandbox does start here$/), fix: expect.stringContaining('systempaths=unconfined') });
      expect(get('hostname')).toMatchObject({ level: 'warn', found: expect.stringContaining("by Podman's seccomp profile"), fix: expect.stringContaining('seccomp=unconfined') });
      expect(get('seccomp').level).toBe('warn');
      expect(get('sandbox')).toMatchObject({ level: 'fail', found: expect.stringMatching(/^a default sandbox could not start: mount \/proc/) });
      // What the probes left out is a finding, not a warning on stderr as well.
      expect(r.stderr).not.toMatch(/NSJAIL_TS_NOTICE/);
    }, 60_000);
  } else {
    // A rootless podman: its containers are user namespaces with the user's subordinate ids.
    it("as root inside a rootless engine: the default id range is not in its user namespace — the error says so and what to map; mapping within it works", async () => {
      const within = { uidMappings: [{ containerId: 0, hostId: 1, size: 65536 }], gidMappings: [{ containerId: 0, hostId: 1, size: 65536 }] };
      const { results } = await probe([...SYSTEMPATHS, ...SECCOMP], [{}, within]);
      expect(results[0].error).toMatchObject({ syscall: 'uid_map', code: 'EPERM' });
      expect(results[0].error!.hint).toMatch(/^this process is root in a user namespace that has only ids 0\.\.\d+ \(a rootless container engine\).*set uidMappings and gidMappings/);
      expect(results[1]).toMatchObject({ ok: true, stdout: expect.stringMatching(/^sandbox\n/) });
    }, 60_000);

    it('as a normal user inside a rootless engine: the same as rootful (systempaths=unconfined is enough, the hostname left out with a warning)', async () => {
      const { results, stderr } = await probe(['--user', '1000:1000', ...SYSTEMPATHS], [{}]);
      expect(results[0]).toMatchObject({ ok: true });
      expect(stderr).toMatch(NOTICE);
    }, 60_000);
  }
});
