// Every test gets a sandbox of its own: the program under test and its input go in
// (`files`, `writeFile`), it runs under limits, its output comes out (`readFile`), and
// afterEach destroys the sandbox, whatever the test did. Nothing a test writes reaches the
// host or the next test.
//
// The program under test, report.sh, counts the words and lines of /app/in.txt into
// /app/out/report.json. In a real project it would be read from disk:
// files: { '/app/report.sh': { content: fs.readFileSync('bin/report.sh'), mode: 0o755 } }.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Container } from 'nsjail-ts';

const REPORT_SH = `#!/bin/sh
set -e
words=$(wc -w < /app/in.txt)
lines=$(wc -l < /app/in.txt)
mkdir -p /app/out
printf '{"words": %d, "lines": %d}\\n' "$words" "$lines" > /app/out/report.json
`;

let sandbox;

beforeEach(async () => {
  sandbox = await Container.create({
    args: ['/app/report.sh'],
    // In before the program starts; /app is a private tmpfs of this sandbox.
    files: { '/app/report.sh': { content: REPORT_SH, mode: 0o755 } },
    network: 'none',
    limits: {
      wallTimeMs: 2000,
      memoryBytes: 64 << 20,
      pids: 32,
      // Where cgroups are not delegated to this user, run with wall time and rlimits
      // (the result names what was not enforced) rather than fail.
      enforce: 'best-effort',
    },
  });
});

afterEach(async () => {
  await sandbox.destroy(); // every process killed, every mount and cgroup gone
});

async function runIt() {
  const p = sandbox.start();
  const { exitCode, stderr } = await p.output();
  return { exitCode, stderr: stderr.toString() };
}

it('counts words and lines', async () => {
  await sandbox.writeFile('/app/in.txt', 'hello sandboxed\nworld\n');
  expect(await runIt()).toEqual({ exitCode: 0, stderr: '' });
  expect(JSON.parse(await sandbox.readFile('/app/out/report.json'))).toEqual({ words: 3, lines: 2 });
});

it('an empty input is zero of each', async () => {
  await sandbox.writeFile('/app/in.txt', '');
  expect((await runIt()).exitCode).toBe(0);
  expect(JSON.parse(await sandbox.readFile('/app/out/report.json'))).toEqual({ words: 0, lines: 0 });
});

it('each test starts clean: what the others wrote is not here', async () => {
  await expect(sandbox.readFile('/app/in.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  const { exitCode, stderr } = await runIt();
  expect(exitCode).not.toBe(0);
  expect(stderr).toMatch(/in\.txt/);
  await expect(sandbox.readFile('/app/out/report.json')).rejects.toMatchObject({ code: 'ENOENT' });
});

it('a program that hangs is ended by the wall-time limit', async () => {
  await sandbox.writeFile('/app/in.txt', 'x\n');
  await sandbox.writeFile('/app/report.sh', '#!/bin/sh\nwhile :; do :; done\n', { mode: 0o755 });
  const status = await sandbox.start().wait();
  expect(status).toMatchObject({ reason: 'timeout', timedOut: true, signal: 'SIGKILL' });
});

it('the host is out of reach: read-only, no network', async () => {
  // python3 is on the host view (the sandbox sees the host's /usr); a connection either way
  // fails at once with no route: only loopback is up.
  const connect = `python3 -c "import socket; socket.create_connection(('1.1.1.1', 80), 1)" 2>&1; echo "connect: $?"`;
  await sandbox.writeFile('/app/report.sh', `#!/bin/sh\ntouch /etc/x 2>&1; ${connect}; exit 0\n`, { mode: 0o755 });
  const { stdout } = await sandbox.start().output();
  expect(stdout.toString()).toMatch(/Read-only file system/);
  expect(stdout.toString()).toMatch(/Network is unreachable/);
  expect(stdout.toString()).toMatch(/^connect: 1$/m);
});
