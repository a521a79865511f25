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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
