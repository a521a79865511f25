/**
 * A podman of our own for the engine tests: its storage in a temp directory (nothing of
 * the machine's podman is touched), runc as the runtime (crun cannot run on hybrid
 * cgroups), no network, and an image built here from nothing: a skeleton root (the
 * /bin, /lib... links of a merged-/usr system, /etc/passwd and group) that gets the host's
 * /usr, node and this repository mounted read-only. No registry is needed.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Podman {
  /** Runs `args` (a program and its arguments) in a container with `flags`; the probe's output. */
  run(flags: string[], args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  destroy(): Promise<void>;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/bin', '/sbin'])) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** A hard limit of ours, from /proc/self/limits ('Max open files', 'Max processes'). */
function hardLimit(name: string): number {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name));
  const hard = line?.slice(26).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? Infinity : Number(hard);
}

/** Why podman cannot run here, or undefined. */
export function podmanMissing(): string | undefined {
  if (!which('podman')) return 'podman is not installed (Debian: apt-get install podman runc)';
  if (!which('runc')) return 'runc is not installed (Debian: apt-get install runc)';
  return undefined;
}

/** The repository's root, the node binary's prefix: what the containers get read-only. */
const repo = path.resolve(__dirname, '../..');
const nodePrefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)));

/**
 * Starts nothing: prepares storage and the image (a few hundred ms). Throws with
 * podman's own words if it cannot run here.
 */
export async function makePodman(): Promise<Podman> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-podman-'));
  const base = [
    `--root=${dir}/storage`,
    `--runroot=${dir}/run`,
    // No systemd here (and none needed): cgroupfs, and events to a file.
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
    '--runtime=runc',
  ];
  // A rootless podman keeps its own state under XDG_RUNTIME_DIR.
  const env = { ...process.env, XDG_RUNTIME_DIR: path.join(dir, 'xdg'), HOME: path.join(dir, 'home') };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  fs.mkdirSync(env.HOME);
  // A rootful podman mounts its storage and the containers' roots where it runs: in a
  // mount namespace of its own for each call, so the host's mount table (which other test
  // files compare before and after) never sees them. A rootless podman has its own already.
  const [cmd, pre] = process.geteuid!() === 0 ? ['unshare', ['--mount', '--propagation', 'private', 'podman']] : ['podman', []];
  const podman = (args: string[], timeout = 60_000) => run(cmd, [...pre, ...base, ...args], { env, timeout, maxBuffer: 16 << 20 });

  const skel = path.join(dir, 'skel');
  for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev', 'run', 'root', 'usr']) fs.mkdirSync(path.join(skel, d), { recursive: true });
  fs.chmodSync(path.join(skel, 'tmp'), 0o1777);
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) if (fs.existsSync(`/usr/${l}`)) fs.symlinkSync(`usr/${l}`, path.join(skel, l));
  for (const f of ['passwd', 'group']) fs.copyFileSync(`/etc/${f}`, path.join(skel, 'etc', f));
  await run('tar', ['-C', skel, '-cf', path.join(dir, 'skel.tar'), '.']);
  await podman(['import', path.join(dir, 'skel.tar'), 'localhost/nsjail-ts-skel']);

  // Limits we can give: without CAP_SYS_RESOURCE (as on the development machine) runc
  // cannot raise them to podman's defaults, and conmon itself runs with nproc 32768.
  const nofile = Math.min(hardLimit('Max open files'), 4096);
  const nproc = Math.min(hardLimit('Max processes'), 4096);
  const mounts = ['/usr', repo, ...(nodePrefix.startsWith('/usr/') || nodePrefix === '/usr' ? [] : [nodePrefix])].flatMap((m) => ['-v', `${m}:${m}:ro`]);
  return {
    async run(flags, args) {
      const argv = ['run', '--rm', '--network=none', `--ulimit=nofile=${nofile}:${nofile}`, `--ulimit=nproc=${nproc}:${nproc}`, ...mounts, ...flags, 'localhost/nsjail-ts-skel', ...args];
      try {
        const r = await podman(argv);
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const err = e as { code?: number | string; stdout?: string; stderr?: string };
        if (typeof err.code !== 'number') throw e;
        return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
      }
    },
    async destroy() {
      // The image's layers belong to the user namespace's ids for a rootless podman: its
      // own reset removes them.
      await podman(['system', 'reset', '--force'], 60_000).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where the built library is, inside the containers (the repository is mounted at its own path). */
export const libraryPath = path.join(repo, 'dist', 'index.js');
export const cliPath = path.join(repo, 'dist', 'cli', 'main.js');
