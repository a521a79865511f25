// A consumer's ESM TypeScript, type-checked by test/typecheck-consumer.mjs against the packed
// package (tsc --strict, moduleResolution nodenext): the README's quick start and API shapes.
import { once } from 'node:events';
import { AbortError, ConfigError, Container, ContainerError, Namespaces } from 'nsjail-ts';
import type { CapabilityName, ContainerConfig, ExecOptions, ExitStatus, LimitsConfig, Mount, Process, RunOptions, RunResult } from 'nsjail-ts';

// Quick start.
const result = await Container.run({ args: ['/bin/sh', '-c', 'id; hostname; ps'] });
console.log(result.stdout.toString());

// Strings when asked for.
const text: RunResult<string> = await Container.run({ args: ['echo', 'hi'] }, { encoding: 'utf8', timeout: 5000 });
const upper: string = text.stdout.toUpperCase();

// create / start: with the default stdio the streams are there.
const c = await Container.create({ args: ['/bin/sh', '-c', 'echo up; sleep 1'], limits: { wallTimeMs: 5000 } });
try {
  const p = c.start();
  p.stdout.pipe(process.stdout);
  p.on('exit', (status: ExitStatus) => console.log(status.reason, status.stats.wallMs));
  const [status] = (await once(p, 'exit')) as [ExitStatus];
  console.log(status.timedOut);
  const q = await c.exec(['ps', 'aux'], { timeout: 1000, killSignal: 'SIGKILL', signal: AbortSignal.timeout(2000) });
  const out = await q.output({ encoding: 'utf8', maxBuffer: 1 << 20 });
  console.log(out.stdout.trim(), upper);
} catch (e) {
  if (e instanceof AbortError) console.log(e.code, e.cause);
  else if (e instanceof ContainerError) console.log(e.code, e.stage, e.syscall);
  else if (e instanceof ConfigError) console.log(e.field);
} finally {
  await c.destroy();
}

// The option and config types, as a consumer writes them.
const caps: CapabilityName[] = ['CAP_NET_BIND_SERVICE'];
const limits: LimitsConfig = { memoryBytes: 64 << 20, pids: 32, cpuTimeMs: 1000, enforce: 'best-effort' };
const mounts: Mount[] = [{ type: 'tmpfs', target: '/work', sizeBytes: 16 << 20 }];
const config: ContainerConfig = { args: ['true'], capabilities: caps, limits, mounts, namespaces: new Namespaces(['user', 'pid', 'mount']) };
const runOptions: RunOptions = { input: 'x', maxBuffer: 1024, outputs: ['/work/out'], signal: new AbortController().signal };
const execOptions: ExecOptions = { env: { A: '1' }, stdio: ['pipe', 'pipe', 'inherit'], terminal: false };
const loose: Process = (await Container.create(config)).start();
// @ts-expect-error a Process of a config the types cannot see through may have no stdout
loose.stdout.pipe(process.stdout);
void [runOptions, execOptions];
