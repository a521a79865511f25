/**
 * `nsjail-ts run`: create and start the sandbox with the caller's stdio (or a pty with
 * -t), forward the signals a terminal or a supervisor sends, and exit with the program's
 * status, as container runtimes do: 125 for our own failures, 126/127 for a program that
 * cannot be executed / was not found.
 */
import * as os from 'node:os';
import { finished } from 'node:stream/promises';
import { ConfigError, ContainerError } from '../errors.js';
import { Container } from '../container.js';
import type { ExitStatus } from '../status.js';
import type { Process } from '../process.js';
import type { RunCommand } from './run-options.js';

export const EXIT_OWN_FAILURE = 125;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;

/** The shell's convention for a status: the code, or 128 + the signal's number. */
export function exitCodeOf(status: ExitStatus): number {
  if (status.exitCode !== null) return status.exitCode;
  const n = status.signal ? (os.constants.signals as Record<string, number>)[status.signal] : undefined;
  return 128 + (n ?? 9);
}

/** What the user is told when a limit ended the command (its exit status alone says only SIGKILL). */
const ENDED_BY: Partial<Record<ExitStatus['reason'], string>> = {
  timeout: 'the wall-time limit (--time) ended it',
  oom: 'the memory limit (--memory) ended it: out of memory',
  'cpu-time': 'the CPU-time limit (--cpu-time) ended it',
};

/** A failure to start: whose it was, as an exit code. */
export function exitCodeOfError(e: unknown): number {
  if (e instanceof ContainerError && e.syscall === 'execve') return e.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
  return EXIT_OWN_FAILURE;
}

function attachTerminal(p: Process): () => void {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.pipe(p.stdin!);
  p.stdout!.pipe(process.stdout);
  const resize = () => p.resize(process.stdout.columns || 80, process.stdout.rows || 24);
  process.on('SIGWINCH', resize);
  return () => {
    process.off('SIGWINCH', resize);
    stdin.unpipe(p.stdin!);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

/** --output: each path copied out once the command has ended; false if one could not be. */
async function copyOutputs(container: Container, outputs: RunCommand['outputs']): Promise<boolean> {
  let ok = true;
  for (const { path, hostDir } of outputs) {
    try {
      await container.copyOut(path, hostDir);
    } catch (e) {
      process.stderr.write(`nsjail-ts: --output ${path}: ${(e as Error).message}\n`);
      ok = false;
    }
  }
  return ok;
}

export async function run(cmd: RunCommand): Promise<number> {
  const tty = cmd.tty && process.stdin.isTTY === true && process.stdout.isTTY === true;
  const config = { ...cmd.config, ...(tty ? { terminal: { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 } } : { stdio: 'inherit' as const }) };
  let container: Container;
  try {
    container = await Container.create(config);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ContainerError) process.stderr.write(`nsjail-ts: ${e.message}\n`);
    else throw e;
    return exitCodeOfError(e);
  }
  const forward = (sig: NodeJS.Signals) => container.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  for (const s of signals) process.on(s, forward);
  try {
    const p = container.start();
    const detach = tty ? attachTerminal(p) : () => {};
    try {
      // With a pty, what it showed last may still be on its way when it exits.
      const [status] = await Promise.all([p.wait(), tty ? finished(p.stdout!) : undefined]);
      const ended = ENDED_BY[status.reason];
      if (ended) process.stderr.write(`nsjail-ts: ${ended}\n`);
      if (status.unenforcedLimits.length) process.stderr.write(`nsjail-ts: not enforced here (--best-effort): ${status.unenforcedLimits.join(', ')}\n`);
      const code = exitCodeOf(status);
      // A missing output is our failure only when the command itself succeeded.
      return (await copyOutputs(container, cmd.outputs)) || code !== 0 ? code : EXIT_OWN_FAILURE;
    } finally {
      detach();
    }
  } catch (e) {
    if (!(e instanceof ContainerError)) throw e;
    process.stderr.write(`nsjail-ts: ${e.message}\n`);
    return exitCodeOfError(e);
  } finally {
    for (const s of signals) process.off(s, forward);
    await container.destroy();
  }
}
