import type { Tasks } from '@switchboard/contracts';
import { canonicalJson } from '@switchboard/runtime';

/**
 * What a run did, in the order it did it, without its times and ids: the check of its text, each
 * planning round's decision followed by the steps it ran, and how it ended. Two runs of a task are
 * identical when their traces are (docs/replay.md): this is what a replay's verdict and
 * `GET /tasks/{a}/diff/{b}` compare.
 */
export interface RunTrace {
  taskId: string;
  /** The task text was blocked by the input guardrail. */
  blocked: boolean;
  /** What long-term memory gave it to plan with (docs/memory.md): the items' contents, best first. */
  recalled: string[];
  entries: TraceEntry[];
  outcome: TraceOutcome;
  tokens: number;
  costUsd?: number;
  durationMs?: number;
  status: string;
  run?: { kind: Tasks.RunKind; of: string; from?: Tasks.ForkPoint };
}

export type TraceEntry =
  | { at: 'round'; round: number; decision: TraceDecision }
  | { at: 'step'; step: number; round: number; action: TraceAction; result: TraceResult };

export type TraceDecision =
  | { kind: 'actions'; actions: TraceAction[]; rejected?: { tool: string; reason: string }[] }
  | { kind: 'final'; answer: string; output?: unknown }
  | { kind: 'fail'; code: string };

export interface TraceAction {
  kind: string;
  target: string;
  input: unknown;
}

export type TraceResult =
  { status: 'completed'; output: unknown } | { status: string; code: string; output?: unknown };

export interface TraceOutcome {
  status: string;
  answer?: string;
  code?: string;
}

/** The rows a trace is built from (the Task row, its rounds and steps), as the repository reads them. */
export interface TraceRows {
  taskId: string;
  status: string;
  blocked: boolean;
  result?: string | null;
  errorCode?: string | null;
  usage?: { totalTokens: number; costUsd?: number } | null;
  durationMs?: number;
  run?: { kind: Tasks.RunKind; of: string; from?: Tasks.ForkPoint };
  /** The contents of what its first round recalled from long-term memory. */
  recalled?: string[];
  rounds: { iteration: number; decision: unknown }[];
  steps: {
    index: number;
    actionId: string;
    kind: string;
    target: string;
    status: string;
    input: unknown;
    output: unknown;
    errorCode?: string | null;
  }[];
}

export function traceOf(rows: TraceRows): RunTrace {
  const roundOfAction = new Map<string, number>();
  const entries: TraceEntry[] = [];
  const steps = [...rows.steps].sort((a, b) => a.index - b.index);
  const byRound = new Map<number, TraceEntry[]>();
  for (const r of rows.rounds) {
    const decision = decisionOf(r.decision);
    for (const id of actionIdsOf(r.decision)) roundOfAction.set(id, r.iteration);
    byRound.set(r.iteration, [{ at: 'round', round: r.iteration, decision }]);
  }
  for (const s of steps) {
    const round = roundOfAction.get(s.actionId) ?? 0;
    const entry: TraceEntry = {
      at: 'step',
      step: s.index + 1,
      round,
      action: { kind: s.kind, target: s.target, input: s.input },
      result:
        s.status === 'completed'
          ? { status: 'completed', output: s.output }
          : {
              status: s.status,
              code: s.errorCode ?? 'INTERNAL',
              ...(s.output !== null && s.output !== undefined ? { output: s.output } : {}),
            },
    };
    const list = byRound.get(round);
    if (list) list.push(entry);
    else byRound.set(round, [entry]);
  }
  for (const round of [...byRound.keys()].sort((a, b) => a - b))
    entries.push(...(byRound.get(round) ?? []));
  return {
    taskId: rows.taskId,
    blocked: rows.blocked,
    recalled: rows.recalled ?? [],
    entries,
    outcome: {
      status: rows.status,
      ...(rows.result ? { answer: rows.result } : {}),
      ...(rows.errorCode ? { code: rows.errorCode } : {}),
    },
    tokens: rows.usage?.totalTokens ?? 0,
    ...(rows.usage?.costUsd !== undefined ? { costUsd: rows.usage.costUsd } : {}),
    ...(rows.durationMs !== undefined ? { durationMs: rows.durationMs } : {}),
    status: rows.status,
    ...(rows.run ? { run: rows.run } : {}),
  };
}

/** A stored decision without its ids, times and cost: what the planner decided. */
export function decisionOf(stored: unknown): TraceDecision {
  const d = (stored ?? {}) as {
    kind?: string;
    actions?: Tasks.PlanAction[];
    rejected?: { tool: string; reason: string }[];
    answer?: string;
    output?: unknown;
    error?: { code?: string };
  };
  if (d.kind === 'actions')
    return {
      kind: 'actions',
      actions: (d.actions ?? []).map(actionOf),
      ...(d.rejected?.length
        ? { rejected: d.rejected.map((r) => ({ tool: r.tool, reason: r.reason })) }
        : {}),
    };
  if (d.kind === 'final')
    return {
      kind: 'final',
      answer: d.answer ?? '',
      ...(d.output !== undefined ? { output: d.output } : {}),
    };
  return { kind: 'fail', code: d.error?.code ?? 'INTERNAL' };
}

export const actionOf = (a: Pick<Tasks.PlanAction, 'kind' | 'target' | 'input'>): TraceAction => ({
  kind: a.kind,
  target: a.target,
  input: a.input,
});

function actionIdsOf(stored: unknown): string[] {
  const actions = (stored as { actions?: { id?: unknown }[] } | null)?.actions;
  return Array.isArray(actions)
    ? actions.map((a) => a.id).filter((id): id is string => typeof id === 'string')
    : [];
}

/** Equal as the platform stores them (key order does not matter). */
export const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * Where `got` first did something else than `expected`: the input check, an entry (a round's decision,
 * a step's action or result) at the same position, or the outcome. Undefined when they are identical.
 */
export function firstDivergence(expected: RunTrace, got: RunTrace): Tasks.Divergence | undefined {
  if (expected.blocked !== got.blocked)
    return {
      at: 'input',
      expected: { blocked: expected.blocked },
      got: { blocked: got.blocked },
      summary: `the task text was ${expected.blocked ? '' : 'not '}blocked by the input guardrail, and now is${got.blocked ? '' : ' not'}`,
    };
  // Memory comes before the first round: when it differs, it is what made the rest differ.
  if (!same(expected.recalled, got.recalled))
    return {
      at: 'recall',
      expected: { recalled: expected.recalled },
      got: { recalled: got.recalled },
      summary: `recall: planned with ${describeRecall(got.recalled)}, the record with ${describeRecall(expected.recalled)}`,
    };
  const n = Math.max(expected.entries.length, got.entries.length);
  for (let i = 0; i < n; i++) {
    const e = expected.entries[i];
    const g = got.entries[i];
    if (e && g && same(e, g)) continue;
    return entryDivergence(e, g);
  }
  if (!same(expected.outcome, got.outcome))
    return {
      at: 'outcome',
      expected: expected.outcome,
      got: got.outcome,
      summary: `the run ended ${describeOutcome(got.outcome)}, the record ${describeOutcome(expected.outcome)}`,
    };
  return undefined;
}

function entryDivergence(e: TraceEntry | undefined, g: TraceEntry | undefined): Tasks.Divergence {
  const where = (e ?? g) as TraceEntry;
  const position =
    where.at === 'round' ? { round: where.round } : { round: where.round, step: where.step };
  const label = where.at === 'round' ? `round ${where.round}` : `step ${where.step}`;
  return {
    at: where.at,
    ...position,
    expected: e ? payloadOf(e) : null,
    got: g ? payloadOf(g) : null,
    summary: `${label}: ${e && g ? describeDifference(e, g) : `expected ${e ? describeEntry(e) : 'nothing more'}, got ${g ? describeEntry(g) : 'nothing more'}`}`,
  };
}

/** What differs between two entries at one position, in words that name the part that differs. */
function describeDifference(e: TraceEntry, g: TraceEntry): string {
  if (e.at === 'step' && g.at === 'step' && same(e.action, g.action))
    return `the same call of ${e.action.target}, another result: expected ${short(e.result)}, got ${short(g.result)}`;
  if (e.at === 'step' && g.at === 'step' && e.action.target === g.action.target)
    return `${e.action.target} with another input: expected ${short(e.action.input)}, got ${short(g.action.input)}`;
  if (e.at === 'round' && g.at === 'round' && describeEntry(e) === describeEntry(g))
    return `${describeEntry(e)} with other inputs or details: expected ${short(e.decision)}, got ${short(g.decision)}`;
  return `expected ${describeEntry(e)}, got ${describeEntry(g)}`;
}

/** A value in a line: its JSON, cut. */
function short(v: unknown): string {
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function payloadOf(e: TraceEntry): unknown {
  return e.at === 'round' ? e.decision : { action: e.action, result: e.result };
}

export function describeEntry(e: TraceEntry): string {
  if (e.at === 'step') {
    const r = e.result;
    return `${e.action.target} ${r.status === 'completed' ? 'completed' : `${r.status} ${'code' in r ? r.code : ''}`}`.trim();
  }
  const d = e.decision;
  if (d.kind === 'actions') return `actions [${d.actions.map((a) => a.target).join(', ')}]`;
  if (d.kind === 'final') return `the answer ${quote(d.answer)}`;
  return `fail ${d.code}`;
}

function describeOutcome(o: TraceOutcome): string {
  return o.status === 'completed'
    ? `completed with ${quote(o.answer ?? '')}`
    : `${o.status}${o.code ? ` ${o.code}` : ''}`;
}

const describeRecall = (r: string[]): string =>
  r.length ? `[${r.map(quote).join(', ')}]` : 'nothing recalled';

const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
