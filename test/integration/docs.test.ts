/** The README's quick start and the examples run exactly as written. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 20_000 });

describe('documentation', () => {
  it("the README's quick start", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1];
    expect(code).toContain("from 'nsjail-ts'");
    const out = node(['--input-type=module', '-e', code]);
    expect(out).toMatch(/^uid=0\(root\) gid=0\(root\)/);
    expect(out).toContain('\nsandbox\n');
    expect(out).toMatch(/ 1 \? +\S+ nsj:\[2:INIT\]/);
  });

  it("the README's pool example", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Pools'));
    const code = /```js\n([\s\S]*?)```/.exec(section)![1];
    const out = node(['--input-type=module', '-e', `import { Container } from 'nsjail-ts';\n${code}`]);
    expect(out).toBe('42\n exit\n');
  });

  it('README commands exist', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const top = readme.slice(0, readme.indexOf('## Quick start'));
    expect(top).toContain('npm install && npm start');
    expect(top).toContain('npm test');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node examples/quickstart.mjs');
  });

  it('examples/quickstart.mjs (npm start)', () => {
    expect(node(['examples/quickstart.mjs'])).toMatch(/^uid=0\(root\)[\s\S]*sandbox[\s\S]*exit code 0/);
  });

  it('examples/code-runner.mjs, including its time limits', () => {
    expect(node(['examples/code-runner.mjs'])).toMatch(/^exit 0 in [\d.]+ ms\nuid 0 host runner\n/);
    expect(node(['examples/code-runner.mjs', 'import time\ntime.sleep(5)'])).toMatch(/^killed after \d+ ms \(wall-time limit\)/);
    // The CPU-time limit where a cgroup counts it; the wall-time limit where none could be made.
    expect(node(['examples/code-runner.mjs', 'while True: pass'])).toMatch(/^killed after \d+ ms \((CPU-time|wall-time) limit\)/);
  });

  it('examples/test-in-overlay.mjs: a project tested over a copy-on-write view, and what the tests changed', () => {
    expect(node(['examples/test-in-overlay.mjs'])).toBe(
      [
        'node_modules: EROFS',
        'tests passed: hello world',
        'exit 0; what the tests changed:',
        '  added    /project/coverage',
        '  added    /project/coverage/summary.json',
        '  deleted  /project/scratch.txt',
        '  modified /project/snapshots/greet.snap',
        'the project folder is as it was',
        '',
      ].join('\n'),
    );
  });

  it('examples/shared-network.mjs: two sandboxes talk over the loopback they share', () => {
    expect(node(['examples/shared-network.mjs'])).toBe('client got: hello from the first sandbox\nserver exit status 0\n');
  });

  it('examples/busybox-rootfs.mjs: a rootfs of its own, read-only', () => {
    // A normal caller's single-id map keeps setgroups denied, so its group list still shows 0.
    expect(node(['examples/busybox-rootfs.mjs'])).toMatch(/^\/: bin dev proc tmp\n\/bin: 8 tools\nuid=0 gid=0( groups=0)?\ntouch: \/new: Read-only file system\nexit code 0\n$/);
  });

  it('examples/create-start.mjs', () => {
    expect(node(['examples/create-start.mjs'])).toMatch(/state created\nup\nbye\nexit status \{ exitCode: 0/);
  });
});
