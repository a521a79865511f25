// A code runner: untrusted code gets a read-only view of the system, no network,
// a private /tmp, few file descriptors, and two seconds.
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
      limits: { wallTimeMs: 2000, rlimits: { nofile: 64, fsize: 10 << 20, core: 0 } },
    },
    { input: code },
  );
  if (r.timedOut) console.log(`killed after ${r.durationMs.toFixed(0)} ms (wall-time limit)`);
  else console.log(`exit ${r.exitCode ?? r.signal} in ${r.durationMs.toFixed(1)} ms`);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
} catch (e) {
  if (e instanceof ContainerError) console.error(`could not run: ${e.message}`);
  else throw e;
  process.exitCode = 1;
}
