import type { Tasks } from '@switchboard/contracts';

/** An item to run: a recorded task, and (an experiment's) the recorded step its fork starts at. */
export interface BatchItemInput {
  taskId: string;
  step?: number | undefined;
}

/** A batch's item as stored. */
export interface ItemRow {
  position: number;
  taskId: string;
  /** The recorded step its fork starts at (an experiment's item); absent: its first round. */
  step?: number;
  runTaskId: string | null;
  status: 'pending' | 'running' | 'done' | 'skipped';
  outcome: Tasks.BatchOutcome | null;
  summary: ItemSummary | null;
}

/** What an ended item keeps: how its run compares with its original. */
export interface ItemSummary {
  reason?: string;
  answers?: { original?: string; rerun?: string };
  tokens?: { original: number; rerun: number };
  costUsd?: { original: number; rerun: number };
  divergence?: Tasks.Divergence;
}

/** A task's end, as the batch compares it (the original, or its run). */
export interface TaskEnd {
  status: string;
  result: string | null;
  errorMessage?: string;
  tokens: number;
  costUsd: number;
  verdict?: Tasks.ReplayVerdict;
}

export interface BatchState {
  mode: Tasks.RunKind;
  concurrency: number;
  budget?: { tokens?: number; costUsd?: number };
  items: ItemRow[];
  /** The ended runs of running items, by run task id (a run not ended yet is absent). */
  runs: ReadonlyMap<string, TaskEnd>;
  originals: ReadonlyMap<string, TaskEnd>;
}

export interface BatchPlan {
  /** Items whose run ended: their outcome now. */
  finished: { position: number; outcome: Tasks.BatchOutcome; summary: ItemSummary }[];
  /** Pending items to start now (within the concurrency, while the budget lasts). */
  start: number[];
  /** Pending items that will not run: the budget is spent. */
  skip: { position: number; reason: string }[];
  /** Every item is done or skipped. */
  complete: boolean;
}

/**
 * One step of a batch: the running items whose run ended get their outcome; then, while what the
 * runs spent stays under the budget, pending items start up to the concurrency; once it is spent,
 * the pending ones are skipped (a running one finishes: the budget can be passed by what it spends).
 */
export function planAdvance(state: BatchState): BatchPlan {
  const finished: BatchPlan['finished'] = [];
  for (const item of state.items) {
    if (item.status !== 'running' || !item.runTaskId) continue;
    const run = state.runs.get(item.runTaskId);
    if (run)
      finished.push({ position: item.position, ...compare(state.originals.get(item.taskId), run) });
  }
  const ended = new Set(finished.map((f) => f.position));
  const spent = { tokens: 0, costUsd: 0 };
  for (const summary of [...state.items.map((i) => i.summary), ...finished.map((f) => f.summary)]) {
    spent.tokens += summary?.tokens?.rerun ?? 0;
    spent.costUsd += summary?.costUsd?.rerun ?? 0;
  }
  const over =
    (state.budget?.tokens !== undefined && spent.tokens >= state.budget.tokens) ||
    (state.budget?.costUsd !== undefined && spent.costUsd >= state.budget.costUsd);
  const running = state.items.filter(
    (i) => i.status === 'running' && !ended.has(i.position),
  ).length;
  const pending = state.items.filter((i) => i.status === 'pending').map((i) => i.position);
  const start = over ? [] : pending.slice(0, Math.max(0, state.concurrency - running));
  const skip = over
    ? pending.map((position) => ({ position, reason: budgetReason(state.budget, spent) }))
    : [];
  const complete = running === 0 && pending.length - skip.length === 0;
  return { finished, start, skip, complete };
}

/** How a run compares with its original. */
export function compare(
  original: TaskEnd | undefined,
  run: TaskEnd,
): { outcome: Tasks.BatchOutcome; summary: ItemSummary } {
  const summary: ItemSummary = {
    answers: {
      ...(original?.result ? { original: original.result } : {}),
      ...(run.result ? { rerun: run.result } : {}),
    },
    tokens: { original: original?.tokens ?? 0, rerun: run.tokens },
    costUsd: { original: original?.costUsd ?? 0, rerun: run.costUsd },
    ...(run.verdict?.divergence ? { divergence: run.verdict.divergence } : {}),
  };
  if (run.verdict?.identical) return { outcome: 'identical', summary };
  if (run.status !== 'completed')
    return {
      outcome: 'failed',
      summary: { ...summary, reason: run.errorMessage ?? `the run ended ${run.status}` },
    };
  const same = original?.result !== null && norm(original?.result) === norm(run.result);
  return { outcome: same ? 'same-answer' : 'different-answer', summary };
}

const norm = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

function budgetReason(
  budget: BatchState['budget'],
  spent: { tokens: number; costUsd: number },
): string {
  const parts = [
    ...(budget?.tokens !== undefined ? [`${spent.tokens} of ${budget.tokens} tokens`] : []),
    ...(budget?.costUsd !== undefined
      ? [`$${spent.costUsd.toFixed(6)} of $${budget.costUsd}`]
      : []),
  ];
  return `the batch's budget is spent (${parts.join(', ')}): not run`;
}

/** The totals of a batch's items. */
export function totalsOf(items: readonly ItemRow[]): Tasks.ReplayBatchView['totals'] {
  const count = (o: Tasks.BatchOutcome) => items.filter((i) => i.outcome === o).length;
  const sum = (f: (s: ItemSummary) => number) =>
    items.reduce((n, i) => n + (i.summary ? f(i.summary) : 0), 0);
  return {
    tasks: items.length,
    done: items.filter((i) => i.status === 'done').length,
    identical: count('identical'),
    sameAnswer: count('same-answer'),
    differentAnswer: count('different-answer'),
    failed: count('failed'),
    skipped: items.filter((i) => i.status === 'skipped').length,
    tokens: {
      original: sum((s) => s.tokens?.original ?? 0),
      rerun: sum((s) => s.tokens?.rerun ?? 0),
    },
    costUsd: {
      original: sum((s) => s.costUsd?.original ?? 0),
      rerun: sum((s) => s.costUsd?.rerun ?? 0),
    },
  };
}
