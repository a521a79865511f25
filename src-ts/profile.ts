/**
 * RunOptions.profile: where one start spends its time, on one clock. JS marks its own
 * steps; the reactor stamps every event with when it saw it; the stages send timestamped
 * log lines (bootstrap log level 2: every mount too). All are CLOCK_MONOTONIC, which is
 * what process.hrtime reads, so they line up. Meant for `npm run bench -- --profile`:
 * the extra log lines cost a few microseconds each.
 */
import type { Stage } from './errors.js';

export interface ProfileMark {
  /** Milliseconds since the call (Container.run) began. */
  ms: number;
  /** Who noted it: JS, the addon's reactor thread, or a stage of the init program. */
  where: 'js' | 'addon' | Stage;
  what: string;
}

/** A stage's timestamped log line, "@<monotonic µs> text" (src-native/runtime/channel.h). */
export function parseStageLog(message: string): { us: bigint; text: string } | undefined {
  const m = /^@(\d+) (.*)$/s.exec(message);
  return m ? { us: BigInt(m[1]), text: m[2] } : undefined;
}

/** Now, in milliseconds of the monotonic clock. */
function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export class Profile {
  private readonly t0 = monotonicMs();
  private readonly list: ProfileMark[] = [];

  mark(what: string, where: ProfileMark['where'] = 'js', atMs = monotonicMs()): void {
    this.list.push({ ms: Math.round((atMs - this.t0) * 1000) / 1000, where, what });
  }

  /** A stage's log line, "@<monotonic µs> text". */
  markLog(stage: Stage, message: string): void {
    const line = parseStageLog(message);
    if (line) this.mark(line.text, stage, Number(line.us) / 1000);
  }

  /** In time order (a stage's line may reach JS after a later JS mark). */
  get marks(): ProfileMark[] {
    return [...this.list].sort((a, b) => a.ms - b.ms);
  }
}
