/**
 * NSJAIL_TS_TEST_VIA=pool (test/run.mjs's third pass): every Container.run of the suite
 * goes through a pool instead (Container.pool of its config without args, then
 * pool.run(args)), so that the pooled path (args, env and cwd given at start, the start
 * spec through the reaper's gate) is held to every test the direct path is.
 */
import { Container, type ContainerConfig, type RunOptions, type RunResult } from '../../dist/index.js';

/** This pass runs Container.run through pools. */
export const viaPool = process.env.NSJAIL_TS_TEST_VIA === 'pool';

/**
 * The stage that reports a program it cannot find or run: stage 2 at setup, or, in a
 * pooled container (which learns its program at start), the main process.
 */
export const programLookupStage = viaPool ? 'main' : 'init';

if (viaPool) {
  const direct = Container.run.bind(Container);
  const through = async (config: ContainerConfig, options: RunOptions = {}): Promise<RunResult<string | Buffer>> => {
    // What a pool cannot take goes the direct way, so that its errors stay the same.
    const plain =
      typeof config === 'object' &&
      config !== null &&
      Array.isArray(config.args) &&
      config.args.length > 0 &&
      // A pool refuses a host upper layer (its containers would share it).
      !(config.mounts ?? []).some((m) => m?.type === 'overlay' && 'upperDir' in m && m.upperDir !== undefined);
    if (!plain || typeof options !== 'object' || options === null || 'id' in options) return direct(config, options);
    const { args, ...rest } = config;
    const pool = await Container.pool(rest, { size: 1 });
    try {
      return await pool.run(args, options);
    } finally {
      await pool.close();
    }
  };
  Container.run = through as typeof Container.run;
}
