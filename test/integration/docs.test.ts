/** The README's quick start and the examples run exactly as written. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
// As root, or with cgroups delegated (npm test's rootless pass), cgroup limits hold.
const withCgroups = process.geteuid!() === 0 || process.env.NSJAIL_TS_CGROUP_PARENT !== undefined;
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 20_000 });

describe('documentation', () => {
  it('docs/API.md names every export, and every public member, option and configuration field of the declarations', () => {
    const api = fs.readFileSync(path.join(root, 'docs', 'API.md'), 'utf8');
    // In a code span, or in a code block.
    const blocks = [...api.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    const named = (name: string) => new RegExp(`\`[^\`\\n]*\\b${name}\\b[^\`\\n]*\``).test(api) || new RegExp(`\\b${name}\\b`).test(blocks);
    const index = fs.readFileSync(path.join(root, 'src-ts', 'index.ts'), 'utf8');
    const exported = [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((n) => n.trim().replace(/^type /, '')));
    expect(exported.length).toBeGreaterThan(20);
    const missing = exported.filter((n) => !named(n));
    // Members of the exported classes and interfaces, as the declarations users get show them.
    for (const file of ['container', 'process', 'namespaces', 'status', 'config', 'errors', 'seccomp', 'overlays', 'pool', 'profile']) {
      const dts = fs.readFileSync(path.join(root, 'dist', `${file}.d.ts`), 'utf8');
      for (const block of dts.matchAll(/^export (declare class|interface) (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
        if (!exported.includes(block[2])) continue;
        const body = block[3].replace(/\/\*\*[\s\S]*?\*\//g, '');
        // A class's members; an interface's fields and those of its nested objects (limits).
        const member = block[1] === 'interface' ? /^ {4,8}(?:readonly )?(\w+)[?:]/gm : /^ {4}(?:static |readonly |get )*(\w+)[?(:<]/gm;
        for (const m of body.matchAll(member)) if (m[1] !== 'constructor' && !named(m[1])) missing.push(`${block[2]}.${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

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

  it('examples/code-runner-http.mjs --self-test: a normal snippet, a fork bomb, a memory hog and an infinite loop, each with why it ended', () => {
    const out = node(['examples/code-runner-http.mjs', '--self-test']);
    expect(out).toMatch(/^normal: reason exit, exit code 3, stdout "hello from sandbox\\n", stderr "oops\\n"\n/);
    if (withCgroups)
      expect(out).toMatch(
        /\npids limit: held \(\d+ of 100 processes started; [^\n]*\nfork bomb: reason (cpu-time|timeout), processes at most 32\nmemory hog: reason oom, stdout ""\ninfinite loop: reason cpu-time\n$/,
      );
    else expect(out).toMatch(/\nfork bomb: not sent \(the pids limit is not enforced here\)\nmemory hog: not sent [^\n]*\ninfinite loop: reason timeout\n$/);
  });

  it('examples/vitest-per-test: a vitest suite giving every test a sandbox of its own', () => {
    // A vitest of its own, outside this one's worker: none of this run's VITEST_* settings.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
    const args = [vitest, 'run', '--configLoader', 'native', '--config', 'examples/vitest-per-test/vitest.config.mjs'];
    const out = execFileSync(process.execPath, args, { cwd: root, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/Tests +5 passed \(5\)/);
  }, 60_000);

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
