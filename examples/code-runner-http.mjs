// A code-runner service: POST a snippet of sh or Python, get back what it printed, its exit
// code and why it ended. Each snippet runs in a sandbox of its own: a read-only view of the
// system, no network, 128 MiB, 32 processes, one second of CPU, three of wall time, 64 KiB
// of output, at most 4 at once.
//
//   node examples/code-runner-http.mjs              # listens on $PORT (default 8080)
//   curl -s localhost:8080/run -d '{"language": "python3", "code": "print(6 * 7)"}'
//   node examples/code-runner-http.mjs --self-test  # an ephemeral port, five snippets, the reasons
//
// Where cgroups are not delegated to this user, snippets run with the limits that can be
// enforced (wall time, rlimits, output) and the answer names the others; --self-test then
// sends no fork bomb or memory hog.
import * as http from 'node:http';
import { Container, ContainerError } from 'nsjail-ts';

const PIDS = 32;
/** @type {import('nsjail-ts').LimitsConfig} */
const LIMITS = {
  memoryBytes: 128 << 20,
  pids: PIDS,
  cpuTimeMs: 1000,
  wallTimeMs: 3000,
  enforce: 'best-effort',
  rlimits: { nofile: 64, fsize: 1 << 20, core: 0 },
};
/** @type {Record<string, string[]>} */
const LANGUAGES = { sh: ['/bin/sh', '-s'], python3: ['python3', '-'] };
const MAX_BODY = 64 << 10;
const MAX_OUTPUT = 64 << 10;
const AT_ONCE = 4;

/**
 * @typedef {{ language: string, code: string }} Snippet
 * @typedef {{ reason: string, exitCode: number | null, signal: string | null, stdout: string, stderr: string,
 *   durationMs: number, stats: import('nsjail-ts').Stats, unenforcedLimits: string[] }} Answer
 */

/**
 * Runs one snippet; the answer the client gets.
 * @param {Snippet} snippet
 * @returns {Promise<Answer>}
 */
async function runSnippet({ language, code }) {
  const r = await Container.run({ args: LANGUAGES[language], network: 'none', limits: LIMITS }, { input: code, maxBuffer: MAX_OUTPUT });
  return {
    reason: r.reason, // 'exit' | 'signal' | 'timeout' | 'cpu-time' | 'oom' | 'output'
    exitCode: r.exitCode,
    signal: r.signal,
    stdout: r.stdout.toString(),
    stderr: r.stderr.toString(),
    durationMs: Math.round(r.durationMs),
    stats: r.stats,
    unenforcedLimits: r.unenforcedLimits,
  };
}

/** At most AT_ONCE sandboxes; the others wait their turn. */
let running = 0;
/** @type {Array<() => void>} */
const waiting = [];
/**
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function limited(fn) {
  if (running >= AT_ONCE) await new Promise((resolve) => waiting.push(() => resolve(undefined)));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ c) => {
      size += c.length;
      if (size > MAX_BODY) reject(Object.assign(new Error(`the body is over ${MAX_BODY} bytes`), { status: 413 }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

/**
 * @param {string} text
 * @returns {Snippet}
 */
function parseRequest(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
  if (!Object.hasOwn(LANGUAGES, body?.language)) throw Object.assign(new Error(`language must be one of ${Object.keys(LANGUAGES).join(', ')}`), { status: 400 });
  if (typeof body.code !== 'string') throw Object.assign(new Error('code must be a string'), { status: 400 });
  return { language: body.language, code: body.code };
}

function createServer() {
  return http.createServer(async (req, res) => {
    const reply = (/** @type {number} */ status, /** @type {unknown} */ value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(value)}\n`);
    };
    if (req.method !== 'POST' || req.url !== '/run') return reply(404, { error: 'POST /run' });
    try {
      const snippet = parseRequest(await readBody(req));
      reply(200, await limited(() => runSnippet(snippet)));
    } catch (err) {
      const e = /** @type {Error & { status?: number }} */ (err);
      if (e.status) reply(e.status, { error: e.message });
      else if (e instanceof ContainerError) reply(500, { error: e.message });
      else throw e;
    }
  });
}

/**
 * @param {number} port
 * @param {Snippet} snippet
 * @returns {Promise<Answer>}
 */
async function post(port, snippet) {
  const res = await fetch(`http://127.0.0.1:${port}/run`, { method: 'POST', body: JSON.stringify(snippet) });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return /** @type {Promise<Answer>} */ (res.json());
}

/** Starts the service on an ephemeral port, sends each kind of snippet, prints why each ended. */
async function selfTest() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  try {
    const normal = await post(port, { language: 'sh', code: 'echo "hello from $(hostname)"; echo oops >&2; exit 3' });
    console.log(`normal: reason ${normal.reason}, exit code ${normal.exitCode}, stdout ${JSON.stringify(normal.stdout)}, stderr ${JSON.stringify(normal.stderr)}`);
    const unenforced = normal.unenforcedLimits;
    if (unenforced.length) console.log(`not enforced here: ${unenforced.join(', ')}`);

    // The pids limit, proven before a fork bomb is let loose: how many of 100 processes start.
    if (unenforced.includes('pids')) console.log('fork bomb: not sent (the pids limit is not enforced here)');
    else {
      const probe = await post(port, {
        language: 'python3',
        code: 'import os, time\nn = 0\nfor i in range(100):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(10)\n        os._exit(0)\n    n += 1\nprint(n)',
      });
      const started = Number(probe.stdout);
      if (!(started > 0 && started < PIDS)) throw new Error(`the pids limit did not hold: ${JSON.stringify(probe)}`);
      console.log(`pids limit: held (${started} of 100 processes started; the limit of ${PIDS} counts the sandbox's init and python too)`);
      const bomb = await post(port, { language: 'python3', code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass' });
      console.log(`fork bomb: reason ${bomb.reason}, processes at most ${bomb.stats.pidsPeak}`);
    }

    if (unenforced.includes('memoryBytes')) console.log('memory hog: not sent (the memory limit is not enforced here)');
    else {
      const hog = await post(port, { language: 'python3', code: 'data = b"x" * (512 << 20)\nprint(len(data))' });
      console.log(`memory hog: reason ${hog.reason}, stdout ${JSON.stringify(hog.stdout)}`);
    }

    const loop = await post(port, { language: 'sh', code: 'while :; do :; done' });
    console.log(`infinite loop: reason ${loop.reason}`);
  } finally {
    server.close();
  }
}

if (process.argv.includes('--self-test')) await selfTest();
else {
  const port = Number(process.env.PORT ?? 8080);
  createServer().listen(port, () => console.log(`code runner on http://localhost:${port}/run`));
}
