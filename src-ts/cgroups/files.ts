/**
 * Reading and writing cgroup files, always asynchronously (the libuv thread pool): the
 * event loop never waits for a cgroup file system. Errors keep Node's shape (code,
 * errno, syscall, path) for the ContainerError the caller makes of them.
 */
import * as fs from 'node:fs';

export type FsError = NodeJS.ErrnoException & { code: string; path?: string };

export function isFsError(e: unknown, ...codes: string[]): e is FsError {
  return e instanceof Error && typeof (e as FsError).code === 'string' && (codes.length === 0 || codes.includes((e as FsError).code));
}

export async function readText(path: string): Promise<string> {
  return fs.promises.readFile(path, 'utf8');
}

/** undefined when the file does not exist (an older kernel, a controller not enabled). */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readText(path);
  } catch (e) {
    if (isFsError(e, 'ENOENT', 'ENODEV')) return undefined;
    throw e;
  }
}

/**
 * One write of the whole text into an existing file: never created (an absent file is
 * ENOENT), opened write-only (some are: cgroup.kill). O_TRUNC, as a shell's `>` does: the
 * kernel's files ignore it, a regular file (a test's) ends up holding exactly the value.
 */
export async function writeText(path: string, text: string): Promise<void> {
  await fs.promises.writeFile(path, text, { flag: fs.constants.O_WRONLY | fs.constants.O_TRUNC });
}

/**
 * The fields of /proc/<pid>/stat after the command name (which may hold spaces and
 * parentheses): [0] is field 3 (state), [19] field 22 (start time).
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How long what is read of the host's cgroups is trusted: the caller's cgroup, parents
 * checked, controllers enabled (and the cgroups made ahead, spare.ts).
 */
export const TTL_MS = 10_000;
const cache = new Map<string, { at: number; value: Promise<unknown> }>();

/** A value kept for TTL_MS (a failure is not kept: the next call tries again). */
export function cached<T>(key: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value as Promise<T>;
  const value = make();
  cache.set(key, { at: Date.now(), value });
  value.catch(() => cache.delete(key));
  return value;
}
