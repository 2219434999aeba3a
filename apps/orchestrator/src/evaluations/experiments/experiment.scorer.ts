import { Injectable } from '@nestjs/common';
import { type Actor, Evaluations, type Tasks } from '@switchboard/contracts';
import { ReplayBatchRepository } from '../../replay/batches/replay-batch.repository.js';
import type { RunTrace } from '../../replay/run-trace.js';
import { DatasetRepository } from '../datasets/dataset.repository.js';
import { RecordedTasks } from '../datasets/recorded-tasks.js';
import { scorerName } from '../scorers/code-scorers.js';
import { LlmJudge } from '../scorers/llm-judge.js';
import { ScoreMetrics } from '../scores/score.metrics.js';
import {
  aggregateOf,
  compareRuns,
  pairwiseOf,
  passesBaseline,
  runFactsOf,
} from './experiment-result.js';
import {
  ExperimentRepository,
  type ExperimentRow,
  type NewScore,
} from './experiment.repository.js';
import { type AskJudge, scoreRun } from './score-run.js';

/** How many items of one experiment are scored at once (each may wait on the judge). */
export const EXPERIMENT_SCORING_CONCURRENCY = 4;

type Head = Omit<
  Evaluations.ExperimentView,
  'items' | 'candidate' | 'baseline' | 'pairwise' | 'passed' | 'status'
>;

/** An experiment's batches as they stand: ended (and since when) or not. */
export interface ExperimentState {
  head: Head;
  dataset: Evaluations.DatasetView | undefined;
  candidate: Tasks.ReplayBatchView | undefined;
  baseline: Tasks.ReplayBatchView | undefined;
  /** When its last batch ended; undefined while either runs. */
  endedAt: Date | undefined;
}

/**
 * Scores an experiment whose batches ended (docs/evaluations.md): every run with the code scorers
 * and the judge (a few items at once), each item compared with the baseline, and the result stored
 * with its scores — once, whichever replica stores first (the repository's write is conditional on
 * the row still running); the replica that stored them counts them in the metrics. On one replica
 * an experiment is scored by one caller at a time: a second one waits for the first's result.
 */
@Injectable()
export class ExperimentScorer {
  private readonly scoring = new Map<string, Promise<Evaluations.ExperimentView | undefined>>();

  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly datasets: DatasetRepository,
    private readonly batches: ReplayBatchRepository,
    private readonly recorded: RecordedTasks,
    private readonly judge: LlmJudge,
    private readonly metrics: ScoreMetrics,
  ) {}

  /** Whether this replica is scoring the experiment now. */
  busyWith(id: string): boolean {
    return this.scoring.has(id);
  }

  async state(
    row: ExperimentRow,
    actor: Actor,
    dataset?: Evaluations.DatasetView,
  ): Promise<ExperimentState> {
    const ds = dataset ?? (await this.datasets.byId(row.tenantId, row.datasetId))?.view;
    const head: Head = {
      experimentId: row.id,
      dataset: ds?.name ?? '(deleted)',
      datasetVersion: row.datasetVersion,
      agent: row.agent,
      version: row.version,
      ...(row.baselineVersion !== null ? { baselineVersion: row.baselineVersion } : {}),
      scorers: Evaluations.ExperimentBody.shape.scorers.parse(row.scorers),
      ...(row.liveTools.length ? { liveTools: row.liveTools } : {}),
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
    };
    const candidate = await this.batches.get(row.batchId, actor);
    const baseline = row.baselineBatchId
      ? await this.batches.get(row.baselineBatchId, actor)
      : undefined;
    const ended =
      candidate?.status === 'completed' &&
      (!row.baselineBatchId || baseline?.status === 'completed');
    const ends = [candidate?.finishedAt, baseline?.finishedAt].flatMap((t) =>
      t ? [Date.parse(t)] : [],
    );
    const endedAt = ended ? new Date(ends.length ? Math.max(...ends) : 0) : undefined;
    return { head, dataset: ds, candidate, baseline, endedAt };
  }

  /**
   * The experiment's result: scored and stored now if its batches ended (or the result another
   * replica stored first); undefined while a batch runs.
   */
  score(row: ExperimentRow, actor: Actor, state?: ExperimentState) {
    let p = this.scoring.get(row.id);
    if (!p) {
      p = this.scoreOnce(row, actor, state).finally(() => this.scoring.delete(row.id));
      this.scoring.set(row.id, p);
    }
    return p;
  }

  private async scoreOnce(
    row: ExperimentRow,
    actor: Actor,
    known?: ExperimentState,
  ): Promise<Evaluations.ExperimentView | undefined> {
    const s = known ?? (await this.state(row, actor));
    if (!s.endedAt || !s.candidate) return undefined;
    const { view, scores } = await this.scored(s.head, s.dataset, s.candidate, s.baseline, actor);
    if (await this.experiments.complete(row, view, scores)) {
      for (const x of scores) this.metrics.observe([x], { agent: row.agent, version: x.version });
      return view;
    }
    // another replica stored it first: its result stands
    const stored = Evaluations.ExperimentView.safeParse(
      (await this.experiments.get(row.tenantId, row.id))?.result,
    );
    return stored.success ? stored.data : undefined;
  }

  private async scored(
    head: Head,
    dataset: Evaluations.DatasetView | undefined,
    candidate: Tasks.ReplayBatchView,
    baseline: Tasks.ReplayBatchView | undefined,
    actor: Actor,
  ): Promise<{ view: Evaluations.ExperimentView; scores: NewScore[] }> {
    const expectations = new Map(
      (dataset?.items ?? []).map((i) => [itemKey(i), i.expectations ?? {}] as const),
    );
    const scores: NewScore[] = [];
    const runOf = async (
      item: Tasks.BatchItemView | undefined,
      taskId: string,
      version: number | undefined,
    ) => {
      const key = itemKey({ taskId, step: item?.step });
      if (!item?.runTaskId) return undefined;
      const [run, parent] = await Promise.all([
        this.recorded.trace(item.runTaskId, actor),
        this.recorded.trace(taskId, actor),
      ]);
      if (!run) return undefined;
      const task = head.scorers.some((s) => s.kind === 'judge')
        ? ((await this.recorded.text(taskId, actor)) ?? '')
        : '';
      const judge: AskJudge = (spec, input) =>
        this.judge.score(spec, input, actor, item.runTaskId as string);
      const r = await scoreRun(
        head.scorers,
        runFactsOf(run, parent, head.liveTools),
        expectedOf(expectations.get(key) ?? {}, parent),
        task,
        judge,
      );
      for (const g of r.given)
        scores.push({
          taskId: item.runTaskId,
          source: sourceOf(head.scorers, g.name),
          version,
          ...g,
        });
      return r.view;
    };
    // both batches were made from the same items in the same order: an item is its position
    const scoredItems = await mapBounded(
      candidate.items,
      EXPERIMENT_SCORING_CONCURRENCY,
      async (c, position): Promise<Evaluations.ExperimentItemView | undefined> => {
        const cv = await runOf(c, c.taskId, head.version);
        if (!cv) return undefined;
        const b = baseline?.items[position];
        const bv = b ? await runOf(b, c.taskId, head.baselineVersion) : undefined;
        return {
          taskId: c.taskId,
          ...(c.step ? { step: c.step } : {}),
          candidate: cv,
          ...(bv ? { baseline: bv, comparison: compareRuns(cv, bv) } : {}),
        };
      },
    );
    const items = scoredItems.flatMap((i) => (i ? [i] : []));
    const withBaseline = baseline !== undefined;
    const view: Evaluations.ExperimentView = {
      ...head,
      status: 'completed',
      items,
      candidate: aggregateOf(items.map((i) => i.candidate)),
      ...(withBaseline
        ? {
            baseline: aggregateOf(items.flatMap((i) => (i.baseline ? [i.baseline] : []))),
            pairwise: pairwiseOf(items),
            passed: passesBaseline(items),
          }
        : {}),
    };
    return { view, scores };
  }
}

/** `f` over `xs`, at most `limit` at once; the answers in the order of `xs`. */
export async function mapBounded<T, R>(
  xs: readonly T[],
  limit: number,
  f: (x: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}

/**
 * What a run of an item is scored against: the item's expectations, and for what it does not name,
 * its recorded task — its answer and its tool calls (so a dataset a rule built scores at once, against
 * what production did).
 */
export function expectedOf(
  item: Evaluations.Expectations,
  recorded: RunTrace | undefined,
): Evaluations.Expectations {
  if (!recorded) return item;
  const facts = runFactsOf(recorded, undefined);
  return {
    ...(facts.answer !== undefined ? { answer: facts.answer } : {}),
    trajectory: facts.calls,
    ...item,
  };
}

/** An item's key: its task and the step it starts at (0: the whole task). */
const itemKey = (i: { taskId: string; step?: number | undefined }): string =>
  `${i.taskId} ${i.step ?? 0}`;

/** The source of a score by the scorer that gave it: the judge's, or code's. */
function sourceOf(specs: readonly Evaluations.ScorerSpec[], name: string): 'code' | 'judge' {
  const spec = specs.find((s) => scorerName(s) === name);
  return spec?.kind === 'judge' ? 'judge' : 'code';
}
