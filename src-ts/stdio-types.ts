/**
 * What the types know of a process's streams (types only): with 'pipe' (the default)
 * `p.stdout` is a Readable, with 'inherit', 'ignore' or an fd it is null, with a
 * terminal stdin and stdout are the pty and stderr is null. create() and exec() pick
 * the streams from the stdio and terminal they are given (their overloads), so that
 * `p.stdout.pipe(...)` type-checks where it works; when the types cannot tell (a
 * config in a variable of type ContainerConfig), each stream is `T | null`.
 */
import type { Readable, Writable } from 'node:stream';

/** One stdio entry, as child_process takes it: fds past 2 become the process's fds 3, 4, ... */
export type StdioEntry = 'pipe' | 'inherit' | 'ignore' | number;
/** The same entry for all three of stdin, stdout and stderr. */
export type StdioMode = 'pipe' | 'inherit' | 'ignore';
/** `stdio` of a config or exec(): one mode for all, or one entry per fd. */
export type StdioOption = StdioMode | readonly StdioEntry[];

/** A pty's size (default 80x24). */
export interface TerminalOption {
  cols?: number;
  rows?: number;
}

/** A process's stdin, stdout and stderr; Process's type parameter. */
export interface ProcessStdio {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
}

/** The streams of an entry: the stream for 'pipe', null for anything else, either when unknown. */
export type StreamOf<E, T> = [E] extends ['pipe'] ? T : 'pipe' extends E ? T | null : null;

/** The streams for stdio [I, O, E] (or one mode for all three). */
export interface StdioStreams<I, O, E> {
  stdin: StreamOf<I, Writable>;
  stdout: StreamOf<O, Readable>;
  stderr: StreamOf<E, Readable>;
}

/** The default, stdio 'pipe': every stream there. */
export type PipedStdio = StdioStreams<'pipe', 'pipe', 'pipe'>;
/** terminal: the pty is stdin and stdout; what the program writes to stderr shows on it too. */
export interface TerminalStdio {
  stdin: Writable;
  stdout: Readable;
  stderr: null;
}

/** Replaces a config's (or exec options') stdio and terminal fields. */
export type WithStdio<T, S> = Omit<T, 'stdio' | 'terminal'> & S;
