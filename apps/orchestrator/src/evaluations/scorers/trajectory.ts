import type { Evaluations } from '@switchboard/contracts';

/** A tool call as a run made it, or as a dataset item expects it. */
export interface Call {
  tool: string;
  args?: Record<string, unknown>;
}

/**
 * A value with its object keys sorted (and undefined members dropped), so two arguments that differ
 * only in key order or an absent-vs-undefined member compare equal.
 */
export function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, normalized(v)]),
    );
  return value;
}

const sameJson = (a: unknown, b: unknown): boolean =>
  JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));

/** Whether every member the expected arguments name is in the actual ones, equal (recursively). */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected as Record<string, unknown>).every(([k, v]) =>
      contains((actual as Record<string, unknown>)[k], v),
    );
  }
  return sameJson(actual, expected);
}

/**
 * Whether an actual call matches an expected one: the same tool, and arguments compared by `mode`.
 * An expected call naming no arguments matches any.
 */
export function callMatches(actual: Call, expected: Call, mode: Evaluations.ArgsMatch): boolean {
  if (actual.tool !== expected.tool) return false;
  if (mode === 'ignore' || expected.args === undefined) return true;
  return mode === 'exact'
    ? sameJson(actual.args ?? {}, expected.args)
    : contains(actual.args ?? {}, expected.args);
}

/**
 * How many of `wanted` can each be paired with a distinct one of `pool` (greedy, in order: enough
 * for trajectories, whose calls rarely match more than one other).
 */
function paired(
  wanted: readonly Call[],
  pool: readonly Call[],
  match: (w: Call, p: Call) => boolean,
): number {
  const used = new Set<number>();
  let n = 0;
  for (const w of wanted) {
    const i = pool.findIndex((p, j) => !used.has(j) && match(w, p));
    if (i >= 0) {
      used.add(i);
      n++;
    }
  }
  return n;
}

/**
 * Whether a run's tool calls match an expected trajectory (ADK's EXACT / IN_ORDER / ANY_ORDER,
 * LangSmith's subset / superset):
 * - `strict`: the same calls in the same order, nothing else;
 * - `in-order`: the expected calls appear in that order, other calls between them allowed;
 * - `any-order`: the same calls, in any order, nothing else;
 * - `subset`: every call made is one of the expected ones (some may be missing);
 * - `superset`: every expected call was made (others may be added).
 */
export function trajectoryMatches(
  actual: readonly Call[],
  expected: readonly Call[],
  mode: Evaluations.TrajectoryMode,
  args: Evaluations.ArgsMatch,
): boolean {
  const m = (a: Call, e: Call) => callMatches(a, e, args);
  switch (mode) {
    case 'strict':
      return actual.length === expected.length && actual.every((a, i) => m(a, expected[i] as Call));
    case 'in-order': {
      let next = 0;
      for (const a of actual) if (next < expected.length && m(a, expected[next] as Call)) next++;
      return next === expected.length;
    }
    case 'any-order':
      return actual.length === expected.length && paired(actual, expected, m) === actual.length;
    case 'subset':
      return paired(actual, expected, m) === actual.length;
    case 'superset':
      return paired(expected, actual, (e, a) => m(a, e)) === expected.length;
  }
}
