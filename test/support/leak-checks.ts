/**
 * The per-file hooks of a test that must leave nothing behind: one run first (so the
 * per-process reactor is already in the snapshot), and after each test that called
 * mark(), no child, fd or host mount more than before it.
 */
import { afterEach, beforeAll, expect } from 'vitest';
import { Container } from '../../dist/index.js';
import { leaks, snapshot } from './host.js';

export function leakChecks(): { mark(): void } {
  let before: ReturnType<typeof snapshot> | undefined;
  beforeAll(async () => {
    await Container.run({ args: ['/bin/true'] });
  });
  afterEach(async () => {
    if (before) expect(await leaks(before)).toEqual([]);
    before = undefined;
  });
  return {
    mark() {
      before = snapshot();
    },
  };
}
