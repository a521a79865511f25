// A sandbox with a root filesystem of its own: a static busybox (Debian: busybox-static)
// and nothing else from the host, read-only.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Container } from 'nsjail-ts';

const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
if (!busybox) {
  console.error('this example needs a static busybox: apt-get install busybox-static');
  process.exit(1);
}
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'busybox-root-'));
try {
  fs.chmodSync(root, 0o755);
  // Where the sandbox mounts its own /proc, /dev and /tmp: a read-only root cannot grow them.
  for (const dir of ['bin', 'proc', 'dev', 'tmp']) fs.mkdirSync(path.join(root, dir));
  fs.copyFileSync(busybox, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const tool of ['sh', 'ls', 'cat', 'ps', 'id', 'hostname', 'wc']) fs.symlinkSync('busybox', path.join(root, 'bin', tool));

  const r = await Container.run({
    rootfs: root,
    readonlyRootfs: true,
    env: { PATH: '/bin' },
    args: ['sh', '-c', 'echo "/: $(echo $(ls /))"; echo "/bin: $(ls /bin | wc -l) tools"; id; touch /new 2>&1 || true'],
  });
  process.stdout.write(r.stdout.toString() + r.stderr.toString());
  console.log(`exit code ${r.exitCode}`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
