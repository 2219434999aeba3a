import type { Evaluations } from '@switchboard/contracts';
import { canonicalJson } from '@switchboard/runtime';
import type { RunTrace, TraceResult } from '../../replay/run-trace.js';
import type { Call } from '../scorers/trajectory.js';

/** What an experiment keeps of one run: its answer, calls, divergences and cost. */
export interface RunFacts {
  runTaskId?: string;
  status: string;
  answer?: string;
  calls: Call[];
  divergences: Evaluations.ExperimentDivergence[];
  /** The calls of read-only tools that ran live (the record held none to answer them). */
  live?: Evaluations.ExperimentLiveCall[];
  tokens: number;
  costUsd: number;
  durationMs?: number;
}

/**
 * A run's facts from its trace and its recorded parent's: the tool calls it made (those answered
 * from the record and those refused), and its divergences — each call it asked for that the record
 * does not hold, or holds only earlier than the order it was asked in, which was therefore never
 * executed (a failed NOT_FOUND step, unless its parent's same call failed NOT_FOUND too: then it is
 * the recorded failure, answered). With read-only `liveTools`, the calls of them the record could not
 * answer ran live: they are listed (liveCallsOf).
 */
export function runFactsOf(
  run: RunTrace,
  parent: RunTrace | undefined,
  liveTools: readonly string[] = [],
): RunFacts {
  const recorded = new Map<string, boolean>();
  for (const e of parent?.entries ?? [])
    if (e.at === 'step') recorded.set(callKey(e.action.target, e.action.input), notFound(e.result));
  const calls: Call[] = [];
  const divergences: Evaluations.ExperimentDivergence[] = [];
  for (const e of run.entries) {
    if (e.at !== 'step' || e.action.kind !== 'tool') continue;
    const args = (e.action.input ?? {}) as Record<string, unknown>;
    calls.push({ tool: e.action.target, args });
    const key = callKey(e.action.target, e.action.input);
    if (!notFound(e.result) || recorded.get(key) === true) continue;
    divergences.push({
      step: e.step,
      tool: e.action.target,
      input: e.action.input,
      message: recorded.has(key)
        ? `the record holds this call of ${e.action.target} only earlier: out of its order, not executed`
        : `the record holds no call of ${e.action.target} with this input: not executed`,
    });
  }
  return {
    runTaskId: run.taskId,
    status: run.status,
    ...(run.outcome.answer !== undefined ? { answer: run.outcome.answer } : {}),
    calls,
    divergences,
    ...(liveTools.length ? { live: liveCallsOf(run, parent, liveTools) } : {}),
    tokens: run.tokens,
    costUsd: run.costUsd ?? 0,
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
  };
}

/**
 * The calls of read-only tools that ran live: the record is matched as the run matched it — each call
 * by the first same call after the last one matched — and a call of a live tool no recorded call
 * answered, and that the record did not refuse, was dispatched.
 */
export function liveCallsOf(
  run: RunTrace,
  parent: RunTrace | undefined,
  liveTools: readonly string[],
): Evaluations.ExperimentLiveCall[] {
  const recorded = (parent?.entries ?? []).flatMap((e) =>
    e.at === 'step' && e.action.kind === 'tool'
      ? [{ step: e.step, key: callKey(e.action.target, e.action.input) }]
      : [],
  );
  const live: Evaluations.ExperimentLiveCall[] = [];
  let after = 0;
  for (const e of run.entries) {
    if (e.at !== 'step' || e.action.kind !== 'tool') continue;
    const key = callKey(e.action.target, e.action.input);
    const match = recorded.find((r) => r.step > after && r.key === key);
    if (match) after = match.step;
    else if (liveTools.includes(e.action.target) && !notFound(e.result))
      live.push({ step: e.step, tool: e.action.target, input: e.action.input });
  }
  return live;
}

const notFound = (r: TraceResult): boolean => 'code' in r && r.code === 'NOT_FOUND';
const callKey = (tool: string, input: unknown): string => `${tool} ${canonicalJson(input ?? {})}`;

/** The mean of a run's numeric scores (booleans as 0/1; categories are not averaged). */
export function meanOf(scores: Record<string, Evaluations.ScoreValue>): number | undefined {
  const values = Object.values(scores).flatMap((v) =>
    typeof v === 'number' ? [v] : typeof v === 'boolean' ? [v ? 1 : 0] : [],
  );
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

export function aggregateOf(
  runs: readonly Evaluations.ExperimentRunView[],
): Evaluations.ExperimentAggregate {
  const means: Record<string, number> = {};
  const names = new Set(runs.flatMap((r) => Object.keys(r.scores)));
  for (const name of names) {
    const m = meanOf(
      Object.fromEntries(
        runs.flatMap((r, i) =>
          name in r.scores ? [[String(i), r.scores[name] as Evaluations.ScoreValue]] : [],
        ),
      ),
    );
    if (m !== undefined) means[name] = m;
  }
  const itemMeans = runs.flatMap((r) => (r.mean === undefined ? [] : [r.mean]));
  const durations = runs.flatMap((r) => (r.durationMs === undefined ? [] : [r.durationMs]));
  return {
    items: runs.length,
    means,
    ...(itemMeans.length ? { mean: itemMeans.reduce((a, b) => a + b, 0) / itemMeans.length } : {}),
    tokens: runs.reduce((n, r) => n + r.tokens, 0),
    costUsd: runs.reduce((n, r) => n + r.costUsd, 0),
    ...(durations.length
      ? { durationMs: durations.reduce((a, b) => a + b, 0) / durations.length }
      : {}),
    diverged: runs.filter((r) => r.divergences.length > 0).length,
  };
}

/**
 * How the candidate's run of an item compares with the baseline's: `diverged` when it asked for a
 * call the record does not hold (and the baseline did not), else by the mean of its scores.
 */
export function compareRuns(
  candidate: Evaluations.ExperimentRunView,
  baseline: Evaluations.ExperimentRunView,
): Evaluations.PairwiseOutcome {
  if (candidate.divergences.length && !baseline.divergences.length) return 'diverged';
  const c = candidate.mean ?? 0;
  const b = baseline.mean ?? 0;
  return c > b ? 'better' : c < b ? 'worse' : 'same';
}

/**
 * Whether a candidate passes against its baseline (issue 50's gate): no item scored worse than the
 * baseline's run of it, and its mean at least the baseline's.
 */
export function passesBaseline(items: readonly Evaluations.ExperimentItemView[]): boolean {
  const worse = items.some(
    (i) => i.baseline !== undefined && (i.candidate.mean ?? 0) < (i.baseline.mean ?? 0),
  );
  const mean = (pick: (i: Evaluations.ExperimentItemView) => number | undefined) => {
    const v = items.flatMap((i) => {
      const m = pick(i);
      return m === undefined ? [] : [m];
    });
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
  };
  return !worse && mean((i) => i.candidate.mean) >= mean((i) => i.baseline?.mean);
}

/** The counts of each pairwise outcome. */
export function pairwiseOf(
  items: readonly Evaluations.ExperimentItemView[],
): NonNullable<Evaluations.ExperimentView['pairwise']> {
  const count = (o: Evaluations.PairwiseOutcome) => items.filter((i) => i.comparison === o).length;
  return {
    better: count('better'),
    worse: count('worse'),
    same: count('same'),
    diverged: count('diverged'),
  };
}
