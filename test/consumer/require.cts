// A consumer's CommonJS TypeScript (require), type-checked by test/typecheck-consumer.mjs.
import nsjail = require('nsjail-ts');

async function main(): Promise<void> {
  const r = await nsjail.Container.run({ args: ['true'] }, { encoding: 'latin1' });
  const s: string = r.stderr;
  const c = await nsjail.Container.create({ args: ['cat'], stdio: ['pipe', 'pipe', 'ignore'] });
  const p = c.start();
  p.stdin.end('x');
  p.stdout.pipe(process.stdout);
  const none: null = p.stderr;
  p.on('error', (e: nsjail.ContainerError | nsjail.AbortError) => console.error(e.message, s, none));
  await c.destroy();
}
void main();
