/**
 * The two errors of the public API (README.md, "Errors").
 * - ConfigError: the configuration is invalid; thrown before any process exists.
 * - ContainerError: creating or running a container failed; shaped like Node's own
 *   system errors (code, errno, syscall, path) plus the stage that failed.
 */
import * as os from 'node:os';
import * as util from 'node:util';

/**
 * Where a creation or run failed. The first three are the processes of the
 * nsjail-ts-init binary (runc's three stages of nsexec):
 * - 'parent': stage 0 (nsj:[0:PARENT]), on the host: reads the bootstrap, opens a root
 *   caller's bind sources, writes the id maps.
 * - 'child': stage 1 (nsj:[1:CHILD]): joins namespaces by path, creates the user
 *   namespace and then the others.
 * - 'init': stage 2 (nsj:[2:INIT]), the container's PID 1: sets up the root, mounts,
 *   /dev and hostname and finds the program; with `init: true` it then stays as the
 *   reaper, with `init: false` it becomes the main process.
 * - 'main': the process that becomes the main process (the reaper's child with
 *   `init: true`, stage 2 itself with `init: false`), from its terminal and credentials
 *   to its rlimits, seccomp filter and the execve itself.
 */
export type Stage = 'parent' | 'child' | 'init' | 'main';

export class ConfigError extends TypeError {
  /** The configuration field at fault, e.g. `mounts[2].target`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

export interface ContainerErrorDetails {
  code?: string;
  errno?: number;
  syscall?: string;
  stage?: Stage;
  path?: string;
  /** What the stage said beyond the errno (e.g. "not found in PATH=/usr/bin:/bin"). */
  detail?: string;
  /** How to fix the environment, when it is at fault. */
  hint?: string;
}

// libuv's table (util.getSystemErrorMap) lacks some errnos a stage can report, ENOEXEC
// among them. Their names come from os.constants.errno; their texts (glibc's strerror,
// lower-cased as libuv writes them) from here.
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(os.constants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);
const MESSAGES_LIBUV_LACKS: Record<string, string> = {
  EBADMSG: 'bad message',
  ECHILD: 'no child processes',
  EDEADLK: 'resource deadlock avoided',
  EDOM: 'numerical argument out of domain',
  EDQUOT: 'disk quota exceeded',
  EIDRM: 'identifier removed',
  EINPROGRESS: 'operation now in progress',
  EMULTIHOP: 'multihop attempted',
  ENETRESET: 'network dropped connection on reset',
  ENOEXEC: 'exec format error',
  ENOLCK: 'no locks available',
  ENOLINK: 'link has been severed',
  ENOMSG: 'no message of desired type',
  ENOSR: 'out of streams resources',
  ENOSTR: 'device not a stream',
  ESTALE: 'stale file handle',
  ETIME: 'timer expired',
};

/** errno number (positive) -> { code: 'ENOENT', message: 'no such file or directory' } */
export function describeErrno(errno: number): { code: string; message: string } {
  const n = Math.abs(errno);
  const entry = util.getSystemErrorMap().get(-n);
  if (entry) return { code: entry[0], message: entry[1] };
  const name = ERRNO_NAMES.get(n);
  if (name) return { code: name, message: MESSAGES_LIBUV_LACKS[name] ?? `error ${n}` };
  return { code: `E${n}`, message: `error ${n}` };
}

export class ContainerError extends Error {
  code: string;
  /** Negative, as in Node's own system errors (ENOENT is -2). */
  errno?: number;
  syscall?: string;
  stage?: Stage;
  path?: string;
  detail?: string;
  hint?: string;

  constructor(message: string, details: ContainerErrorDetails = {}) {
    super(message);
    this.name = 'ContainerError';
    this.code = details.code ?? 'ERR_CONTAINER';
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.stage !== undefined) this.stage = details.stage;
    if (details.path !== undefined) this.path = details.path;
    if (details.detail !== undefined) this.detail = details.detail;
    if (details.hint !== undefined) this.hint = details.hint;
  }

  /**
   * A failure record from a stage, in Node's style:
   * `setns /proc/4242/ns/net (stage child): EPERM: operation not permitted (namespace net)`.
   */
  static fromRecord(rec: { errno: number; syscall?: string; stage?: Stage; path?: string; detail?: string; hint?: string }): ContainerError {
    const { code, message } = describeErrno(rec.errno);
    let text = rec.syscall ?? 'setup';
    if (rec.path) text += ` ${rec.path}`;
    if (rec.stage) text += ` (stage ${rec.stage})`;
    text += `: ${code}: ${message}`;
    if (rec.detail) text += ` (${rec.detail})`;
    if (rec.hint) text += `. ${rec.hint}`;
    return new ContainerError(text, { code, errno: -Math.abs(rec.errno), syscall: rec.syscall, stage: rec.stage, path: rec.path, detail: rec.detail, hint: rec.hint });
  }
}
