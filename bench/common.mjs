// What the benchmarks share: arguments, percentiles, running a command to its exit, and
// writing a script's figures as JSON for bench/index.mjs (which gathers them into
// bench/results.json).
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

export const flag = (name) => process.argv.includes(`--${name}`);

export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const median = (xs) => pct(xs, 50);

export function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Spawns a command with stdio ignored; resolves with ms until its exit (code 0 required). */
export const spawnExit = (file, args) =>
  new Promise((resolve, reject) => {
    const t = performance.now();
    const c = spawn(file, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${file} exited ${code}`))));
  });

// bubblewrap, isolated as our default: all namespaces, read-only host root, private
// /proc, /dev, /tmp, /run, a hostname, no capabilities, a new session, die with parent.
export const BWRAP_ARGS = [
  '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-ipc', '--unshare-cgroup',
  '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run',
  '--hostname', 'sandbox', '--cap-drop', 'ALL', '--new-session', '--die-with-parent', '--clearenv',
  '--setenv', 'PATH', '/usr/bin:/bin', '/bin/true',
];

/** --json-out FILE: this script's figures, for bench/index.mjs. */
export function writeJson(figures) {
  const file = arg('json-out');
  if (file) fs.writeFileSync(file, JSON.stringify(figures, null, 2));
}

/** "OK" or "OVER by X" for a figure against its target (lower is better). */
export function verdict(value, target) {
  return value <= target ? 'OK' : `OVER by ${((value / target - 1) * 100).toFixed(0)}%`;
}
