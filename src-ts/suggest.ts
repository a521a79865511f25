/**
 * "Did you mean ...?" for a name that is not one of a known few (a config field, an
 * option, a namespace type): the known name closest to it by edit distance, when it is
 * close enough to be a typo.
 */

/** Edits from a to b (insert, delete, replace, or swap two neighbours: 'maks' -> 'mask'), case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/**
 * The closest of `known` to `name`: one at most a third of it away (at least 1, at most 3
 * edits), else the only one it begins (a name cut short: 'CAP_NET_BIND').
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const budget = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  if (best !== undefined || name.length < 3) return best;
  const longer = known.filter((k) => k.toLowerCase().startsWith(name.toLowerCase()));
  return longer.length === 1 ? longer[0] : undefined;
}

/** " (did you mean 'net'?)", or '' when nothing is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  const k = closest(name, known);
  return k === undefined ? '' : ` (did you mean '${k}'?)`;
}
