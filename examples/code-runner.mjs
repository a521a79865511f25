// A code runner: untrusted code gets a read-only view of the system, no network,
// a private /tmp, few file descriptors, 256 MiB, 64 processes, one second of CPU and two
// of wall time. Where cgroups are not delegated to this user, it runs with what can be
// enforced and says what could not (limits.enforce: 'best-effort').
//
//   node examples/code-runner.mjs 'print(sum(range(10**6)))'
//   node examples/code-runner.mjs 'while True: pass'
import { Container, ContainerError } from 'nsjail-ts';

const code = process.argv[2] ?? 'import os, socket\nprint("uid", os.getuid(), "host", socket.gethostname())\nprint(open("/etc/os-release").readline().strip())';

try {
  const r = await Container.run(
    {
      args: ['python3', '-'],
      network: 'none',
      hostname: 'runner',
      limits: {
        wallTimeMs: 2000,
        cpuTimeMs: 1000,
        memoryBytes: 256 << 20,
        pids: 64,
        enforce: 'best-effort',
        rlimits: { nofile: 64, fsize: 10 << 20, core: 0 },
      },
    },
    { input: code, maxBuffer: 1 << 20 },
  );
  const limit = /** @type {Partial<Record<string, string>>} */ ({ timeout: 'wall-time', 'cpu-time': 'CPU-time', oom: 'memory', output: 'output' })[r.reason];
  if (limit) console.log(`killed after ${r.durationMs.toFixed(0)} ms (${limit} limit)`);
  else console.log(`exit ${r.exitCode ?? r.signal} in ${r.durationMs.toFixed(1)} ms`);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const cpu = r.stats.cpuUserMs + r.stats.cpuSystemMs;
  console.error(`cpu ${cpu.toFixed(0)} ms, memory peak ${((r.stats.memoryPeakBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`);
  if (r.unenforcedLimits.length) console.error(`not enforced here: ${r.unenforcedLimits.join(', ')}`);
} catch (e) {
  if (e instanceof ContainerError) console.error(`could not run: ${e.message}`);
  else throw e;
  process.exitCode = 1;
}
