/**
 * Another Node process running `script`: the owner of containers in tests of what dies
 * with it or outlives it. Its stdout is collected, its stderr shown.
 */
import { spawn } from 'node:child_process';

export function nodeScript(script: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': by then all of its stdout has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
