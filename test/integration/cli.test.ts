/** The CLI run as a process, as root and as a normal user (both passes run this file). */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_OPTIONS } from '../../dist/cli/run-options.js';
import { isRoot } from '../support/host.js';

const cli = path.resolve(__dirname, '../../dist/cli/main.js');
const run = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000, input });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('nsjail-ts run', () => {
  it("passes the program's stdio and exit status through", () => {
    const r = run(['run', '--hostname', 'clibox', '--', '/bin/sh', '-c', 'read x; echo "got $x on $(hostname)"; echo oops >&2; exit 3'], 'hello\n');
    expect(r).toMatchObject({ code: 3, out: 'got hello on clibox\n', err: 'oops\n' });
  });

  it('a signal becomes 128 + its number; the wall-time limit ends with SIGKILL (137)', () => {
    expect(run(['run', '--', '/bin/sh', '-c', 'kill -TERM $$']).code).toBe(143);
    expect(run(['run', '--time', '200', '--', '/bin/sleep', '10']).code).toBe(137);
  });

  it('127 for a command that does not exist, 126 for one that cannot be executed, with one line', () => {
    const missing = run(['run', '--', 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.err).toMatch(/^nsjail-ts: execve no-such-command .*ENOENT/);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(run(['run', '--', '/etc/passwd']).code).toBe(126);
  });

  it('125 for its own errors: an unknown option, a missing --, an unknown command — one line, then the usage', () => {
    for (const args of [['run', '--bogus', '--', 'true'], ['run', 'true'], ['frobnicate']]) {
      const r = run(args);
      expect(r.code).toBe(125);
      expect(r.err.split('\n')[0]).toMatch(/^nsjail-ts: \S/);
      expect(r.err).toContain('Usage:');
    }
    // A configuration the library refuses: the one line names the field.
    const bad = run(['run', '--hostname', 'x'.repeat(70), '--', 'true']);
    expect(bad).toMatchObject({ code: 125, err: expect.stringMatching(/^nsjail-ts: hostname must be at most 64 bytes/) });
  });

  it('--file puts a host file in, --output copies results out after the command, --overlay keeps the host folder as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'job.sh'), '#!/bin/sh\nmkdir -p /app/out && echo "$(cat /src/in.txt) done" > /app/out/result.txt && echo changed > /src/in.txt\n', { mode: 0o755 });
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'in.txt'), 'input');
      const r = run(['run', '--file', path.join(dir, 'job.sh'), '/app/job.sh', '--overlay', path.join(dir, 'src'), '/src', '--output', '/app/out', path.join(dir, 'results'), '--', '/app/job.sh']);
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(fs.readFileSync(path.join(dir, 'results', 'result.txt'), 'utf8')).toBe('input done\n');
      expect(fs.readFileSync(path.join(dir, 'src', 'in.txt'), 'utf8')).toBe('input');
      // An output that is not there: one line; 125 when the command itself succeeded, its own status otherwise.
      const none = run(['run', '--output', '/app/none', path.join(dir, 'none'), '--', 'true']);
      expect(none).toMatchObject({ code: 125, err: expect.stringMatching(/^nsjail-ts: --output \/app\/none: open \/app\/none: ENOENT[^\n]*\n$/) });
      expect(run(['run', '--output', '/app/none', path.join(dir, 'none'), '--', 'sh', '-c', 'exit 4']).code).toBe(4);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('a limit that ends the command says which (exit status 137)', () => {
    const r = run(['run', '--time', '300', '--', 'sh', '-c', 'while :; do :; done']);
    expect(r).toMatchObject({ code: 137, err: 'nsjail-ts: the wall-time limit (--time) ended it\n' });
  });

  it('--help reads like a man page; --version', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    for (const part of ['Usage:', 'Filesystem:', 'Limits:', 'Exit status:', '--ro-bind SRC DEST', '--overlay SRC DEST', '--cpu-time MS', '--output PATH DIR']) expect(help.out).toContain(part);
    // Every option the parser knows is in the help, and the help names no option it does not know.
    const documented = new Set([...help.out.matchAll(/(?:^ {2}|, )(-{1,2}[\w-]+)/gm)].map((m) => m[1]));
    for (const o of RUN_OPTIONS) expect(documented, o).toContain(o);
    expect(run(['--version']).out).toMatch(/^nsjail-ts \d+\.\d+\.\d+\n$/);
  });
});

describe('nsjail-ts doctor', () => {
  it("tells this machine's truth: user namespaces allowed, no AppArmor restriction, hybrid cgroups, a sandbox runs", () => {
    const r = run(['doctor', '--json']);
    expect(r.code).toBe(0);
    const { usable, findings } = JSON.parse(r.out) as { usable: boolean; findings: Array<{ check: string; level: string; found: string }> };
    const get = (check: string) => findings.find((f) => f.check === check)!;
    expect(usable).toBe(true);
    expect(get('user namespaces').level).toBe('ok');
    expect(get('AppArmor').level).toBe('ok');
    expect(get('cgroups').found).toMatch(/^hybrid: v1 hierarchies .*memory/);
    expect(get('sandbox')).toMatchObject({ level: 'ok' });
    // No engine restricts this machine (its /.dockerenv, where there is one, is only a marker).
    expect(get('/proc').level).toBe('ok');
    expect(get('hostname').level).toBe('ok');
    expect(get('container engine').found).not.toMatch(/^inside /);
    expect(get('id mapping') ?? get('newuidmap')).toBeDefined();
    if (isRoot) expect(get('id mapping').found).toMatch(/^root caller/);
    else expect(get('newuidmap').level).toBe('ok');
    const text = run(['doctor']);
    expect(text.out).toMatch(/^ok {4}kernel: Linux /m);
    expect(text.out).toMatch(/nsjail-ts can run sandboxes here\.\n$/);
  });
});
