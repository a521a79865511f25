/**
 * The public types as documentation (README.md, "API"): checked by `npm run typecheck`
 * (tsc --strict), never run. Each `@ts-expect-error` is a mistake the types must catch;
 * tsc fails if one of them is not an error any more.
 */
import { expectTypeOf } from 'vitest';
import type { Readable, Writable } from 'node:stream';
import {
  AbortError,
  Container,
  Process,
  type CapabilityName,
  type ContainerConfig,
  type ContainerError,
  type ExecOptions,
  type ExitStatus,
  type LimitsConfig,
  type Mount,
  type RunResult,
} from '../../dist/index.js';

export async function streams(config: ContainerConfig): Promise<void> {
  // The default stdio is 'pipe': every stream is there.
  const c = await Container.create({ args: ['sh'] });
  const p = c.start();
  expectTypeOf(p.stdout).toEqualTypeOf<Readable>();
  expectTypeOf(p.stderr).toEqualTypeOf<Readable>();
  expectTypeOf(p.stdin).toEqualTypeOf<Writable>();
  p.stdout.pipe(process.stdout);

  // 'inherit' and 'ignore': none are.
  const inherit = (await Container.create({ args: ['sh'], stdio: 'inherit' })).start();
  expectTypeOf(inherit.stdout).toEqualTypeOf<null>();
  // @ts-expect-error stdout is null with stdio 'inherit'
  inherit.stdout.pipe(process.stdout);

  // Per stream, as a tuple (extra fds past 2 change nothing here).
  const mixed = (await Container.create({ args: ['sh'], stdio: ['ignore', 'pipe', 'inherit', 'pipe'] })).start();
  expectTypeOf(mixed.stdin).toEqualTypeOf<null>();
  expectTypeOf(mixed.stdout).toEqualTypeOf<Readable>();
  expectTypeOf(mixed.stderr).toEqualTypeOf<null>();
  const fromConst = (await Container.create({ args: ['sh'], stdio: ['pipe', 'pipe', 3] as const })).start();
  expectTypeOf(fromConst.stderr).toEqualTypeOf<null>();

  // A terminal: its pty is stdin and stdout; stderr goes to it too.
  const tty = (await Container.create({ args: ['sh'], terminal: { cols: 100 } })).start();
  expectTypeOf(tty.stdout).toEqualTypeOf<Readable>();
  expectTypeOf(tty.stderr).toEqualTypeOf<null>();

  // What the types cannot know (a config in a variable) stays nullable.
  const loose = (await Container.create(config)).start();
  expectTypeOf(loose.stdout).toEqualTypeOf<Readable | null>();
  // @ts-expect-error possibly null
  loose.stdout.pipe(process.stdout);

  // exec() types its streams the same way, from its own stdio (default 'pipe').
  const q = await c.exec(['ps']);
  expectTypeOf(q.stdout).toEqualTypeOf<Readable>();
  expectTypeOf((await c.exec(['ps'], { stdio: 'ignore', timeout: 1000 })).stdout).toEqualTypeOf<null>();
  expectTypeOf((await c.exec(['sh'], { terminal: true })).stdin).toEqualTypeOf<Writable>();

  // Any Process is a Process.
  const list: Process[] = [p, inherit, mixed, tty, loose, q];
  void list;
  await c.destroy();
}

export async function events(c: Container): Promise<void> {
  const p = c.start();
  p.on('exit', (status) => expectTypeOf(status).toEqualTypeOf<ExitStatus>());
  p.once('error', (err) => expectTypeOf(err).toEqualTypeOf<ContainerError | AbortError>());
  // @ts-expect-error ChildProcess's (code, signal) is not what 'exit' gives
  p.on('exit', (code: number, signal: string) => [code, signal]);
  // @ts-expect-error no such event
  p.on('exitt', () => {});
  // Still an EventEmitter wherever one is expected.
  const emitter: NodeJS.EventEmitter = p;
  void emitter;
}

export async function encodings(config: ContainerConfig, p: Process): Promise<void> {
  expectTypeOf(await Container.run(config)).toEqualTypeOf<RunResult>();
  expectTypeOf((await Container.run(config)).stdout).toEqualTypeOf<Buffer>();
  expectTypeOf((await Container.run(config, { encoding: 'utf8' })).stdout).toEqualTypeOf<string>();
  expectTypeOf((await Container.run(config, { encoding: 'base64', timeout: 5 })).stderr).toEqualTypeOf<string>();
  expectTypeOf((await Container.run(config, { encoding: 'buffer' })).stdout).toEqualTypeOf<Buffer>();
  expectTypeOf((await p.output({ encoding: 'latin1' })).stdout).toEqualTypeOf<string>();
  expectTypeOf((await p.output()).stdout).toEqualTypeOf<Buffer>();
  const some = 'utf8' as BufferEncoding | 'buffer';
  expectTypeOf((await p.output({ encoding: some })).stdout).toEqualTypeOf<string | Buffer>();
  // @ts-expect-error not an encoding
  await Container.run(config, { encoding: 'utf-9' });
}

export async function options(config: ContainerConfig, signal: AbortSignal): Promise<void> {
  await Container.run(config, { timeout: 1000, signal, killSignal: 'SIGINT', forceKillAfterDelay: 100, maxBuffer: 1 << 20, input: 'x', outputs: ['/o'] });
  await Container.create(config, { id: 'a', signal });
  // @ts-expect-error unknown run option
  await Container.run(config, { timeoutMs: 1000 });
  // @ts-expect-error killSignal is a signal name or number
  await Container.run(config, { killSignal: 'SIGTERMINATE' });
  // @ts-expect-error create() takes no timeout
  await Container.create(config, { timeout: 1 });
  // @ts-expect-error unknown config field, through every overload
  await Container.create({ args: ['sh'], hostnmae: 'x' });
  const exec: ExecOptions = { env: {}, cwd: '/', user: { uid: 1, gid: 1 }, stdio: 'pipe', timeout: 1, signal, killSignal: 9 };
  void exec;
}

export function configTypes(): void {
  const caps: CapabilityName[] = ['CAP_NET_BIND_SERVICE', 'CAP_CHECKPOINT_RESTORE'];
  // @ts-expect-error not a capability
  const typo: CapabilityName = 'CAP_NET_BIND';
  const limits: LimitsConfig = { memoryBytes: 1 << 20, wallTimeMs: 10, rlimits: { nofile: 64 } };
  // @ts-expect-error not a limit
  const wrongLimit: LimitsConfig = { wallTime: 10 };
  const mounts: Mount[] = [
    { type: 'bind', source: '/a', target: '/b', readonly: true, idmap: false },
    { type: 'overlay', source: '/a', target: '/c', upperDir: '/u' },
    { type: 'proc', target: '/proc', mask: false },
  ];
  // @ts-expect-error a proc mount has no source
  const wrongMount: Mount = { type: 'proc', source: '/x', target: '/p' };
  const config: ContainerConfig = { args: ['sh'], capabilities: caps, limits, mounts, namespaces: ['user', 'pid', 'mount'] };
  // @ts-expect-error not a namespace type
  const typoNs: ContainerConfig = { args: ['sh'], namespaces: ['user', 'nett'] };
  void [typo, wrongLimit, wrongMount, config, typoNs];
  expectTypeOf(new AbortError().code).toEqualTypeOf<'ABORT_ERR'>();
}
