// runc's create/start split: set everything up first, start when ready, stop for good.
// (In TypeScript, `await using c = await Container.create(...)` destroys it for you.)
import { Container } from 'nsjail-ts';

const c = await Container.create({
  args: ['/bin/sh', '-c', 'trap "echo bye; exit 0" TERM; echo up; while :; do sleep 0.1; done'],
  mounts: [{ type: 'tmpfs', target: '/work', sizeBytes: 16 << 20 }],
});
try {
  console.log(`created ${c.id} (init pid ${c.pid}), state ${c.state}`);
  const p = c.start();
  p.stdout.pipe(process.stdout);
  await new Promise((r) => setTimeout(r, 300));
  p.kill('SIGTERM');
  const { exitCode, reason, stats } = await p.wait();
  console.log('exit status', { exitCode, reason }, `cpu ${(stats.cpuUserMs + stats.cpuSystemMs).toFixed(1)} ms`);
} finally {
  await c.destroy();
}
