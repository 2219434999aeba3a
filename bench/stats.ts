// Summary statistics shared by the bench scripts.

/**
 * The p-th percentile of `xs` by the nearest-rank method: the smallest sample with at least p % of
 * the samples at or below it (p50 of 1..10 is 5, p99 of 100 samples the 99th, not the maximum).
 * NaN for no samples; `xs` is not modified.
 */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
}

export const median = (xs: readonly number[]): number => percentile(xs, 50);
