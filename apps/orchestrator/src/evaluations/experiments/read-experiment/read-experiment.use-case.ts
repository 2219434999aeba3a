import { Injectable } from '@nestjs/common';
import { type Actor, Evaluations, isAdmin, tenantOf, type Tasks } from '@switchboard/contracts';
import { ReplayBatchRepository } from '../../../replay/batches/replay-batch.repository.js';
import type { RunTrace } from '../../../replay/run-trace.js';
import { DatasetRepository } from '../../datasets/dataset.repository.js';
import { RecordedTasks } from '../../datasets/recorded-tasks.js';
import { experimentNotFound } from '../../evaluation-errors.js';
import { scorerName } from '../../scorers/code-scorers.js';
import { LlmJudge } from '../../scorers/llm-judge.js';
import {
  aggregateOf,
  compareRuns,
  pairwiseOf,
  passesBaseline,
  runFactsOf,
} from '../experiment-result.js';
import {
  ExperimentRepository,
  type ExperimentRow,
  type NewScore,
} from '../experiment.repository.js';
import { type AskJudge, scoreRun } from '../score-run.js';

type Head = Omit<
  Evaluations.ExperimentView,
  'items' | 'candidate' | 'baseline' | 'pairwise' | 'passed' | 'status'
>;

/**
 * An experiment as it stands (docs/evaluations.md): running while either of its batches runs; once
 * both ended, its first reader scores every run (code scorers, the judge), compares each item with
 * the baseline and stores the result with its scores — once: a later read answers what was stored.
 */
@Injectable()
export class ReadExperimentUseCase {
  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly datasets: DatasetRepository,
    private readonly batches: ReplayBatchRepository,
    private readonly recorded: RecordedTasks,
    private readonly judge: LlmJudge,
  ) {}

  async execute(id: string, actor: Actor): Promise<Evaluations.ExperimentView> {
    const row = await this.experiments.get(tenantOf(actor), id);
    // as its replay batches: its creator's, or (admins) its tenant's
    if (!row || (row.createdBy !== actor.userId && !isAdmin(actor))) throw experimentNotFound(id);
    return this.viewOf(row, actor);
  }

  async viewOf(
    row: ExperimentRow,
    actor: Actor,
    dataset?: Evaluations.DatasetView,
  ): Promise<Evaluations.ExperimentView> {
    const stored = Evaluations.ExperimentView.safeParse(row.result);
    if (row.status === 'completed' && stored.success) return stored.data;
    const ds = dataset ?? (await this.datasets.byId(row.tenantId, row.datasetId))?.view;
    const head: Head = {
      experimentId: row.id,
      dataset: ds?.name ?? '(deleted)',
      datasetVersion: row.datasetVersion,
      agent: row.agent,
      version: row.version,
      ...(row.baselineVersion !== null ? { baselineVersion: row.baselineVersion } : {}),
      scorers: Evaluations.ExperimentBody.shape.scorers.parse(row.scorers),
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
    if (!candidate || !ended)
      return { ...head, status: 'running', items: [], candidate: aggregateOf([]) };
    const { view, scores } = await this.scored(head, ds, candidate, baseline, actor);
    if (await this.experiments.complete(row, view, scores)) return view;
    return this.execute(row.id, actor); // another reader stored it first: its result stands
  }

  private async scored(
    head: Head,
    dataset: Evaluations.DatasetView | undefined,
    candidate: Tasks.ReplayBatchView,
    baseline: Tasks.ReplayBatchView | undefined,
    actor: Actor,
  ): Promise<{ view: Evaluations.ExperimentView; scores: NewScore[] }> {
    const expectations = new Map(
      (dataset?.items ?? []).map((i) => [i.taskId, i.expectations ?? {}] as const),
    );
    const scores: NewScore[] = [];
    const runOf = async (item: Tasks.BatchItemView | undefined, taskId: string) => {
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
        runFactsOf(run, parent),
        expectedOf(expectations.get(taskId) ?? {}, parent),
        task,
        judge,
      );
      for (const g of r.given)
        scores.push({ taskId: item.runTaskId, source: sourceOf(head.scorers, g.name), ...g });
      return r.view;
    };
    const items: Evaluations.ExperimentItemView[] = [];
    for (const c of candidate.items) {
      const cv = await runOf(c, c.taskId);
      if (!cv) continue;
      const b = baseline?.items.find((i) => i.taskId === c.taskId);
      const bv = b ? await runOf(b, c.taskId) : undefined;
      items.push({
        taskId: c.taskId,
        candidate: cv,
        ...(bv ? { baseline: bv, comparison: compareRuns(cv, bv) } : {}),
      });
    }
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

/** The source of a score by the scorer that gave it: the judge's, or code's. */
function sourceOf(specs: readonly Evaluations.ScorerSpec[], name: string): 'code' | 'judge' {
  const spec = specs.find((s) => scorerName(s) === name);
  return spec?.kind === 'judge' ? 'judge' : 'code';
}
