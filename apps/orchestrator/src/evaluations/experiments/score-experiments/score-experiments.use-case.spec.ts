import { describe, expect, it } from '@jest/globals';
import type { Evaluations, Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { ReplayBatchRepository } from '../../../replay/batches/replay-batch.repository.js';
import type { RunTrace } from '../../../replay/run-trace.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import type { RecordedTasks } from '../../datasets/recorded-tasks.js';
import type { LlmJudge } from '../../scorers/llm-judge.js';
import type { ScoreMetrics } from '../../scores/score.metrics.js';
import type { ExperimentRepository, ExperimentRow } from '../experiment.repository.js';
import {
  EXPERIMENT_SCORING_CONCURRENCY,
  ExperimentScorer,
  mapBounded,
} from '../experiment.scorer.js';
import { ScoreExperimentsUseCase, scorerOf } from './score-experiments.use-case.js';

const trace: RunTrace = {
  taskId: 'p',
  blocked: false,
  recalled: [],
  entries: [],
  outcome: { status: 'completed', answer: '391' },
  tokens: 0,
  status: 'completed',
};

const row = (id: string, batchId: string, createdByRole = 'admin') =>
  ({
    id,
    tenantId: 'acme',
    datasetId: 'd1',
    createdBy: 'alan',
    createdByRole,
    status: 'running',
    result: null,
    agent: 'support',
    version: 2,
    baselineVersion: null,
    datasetVersion: 1,
    scorers: [{ kind: 'judge', rubric: 'right?' }],
    liveTools: [],
    batchId,
    baselineBatchId: null,
    createdAt: new Date(),
  }) as unknown as ExperimentRow;

/** Two replicas over one table: e1's batch ended with 10 items, e2's still runs. */
function replicas() {
  const rows = [row('e1', 'ended'), row('e2', 'running')];
  const stores: string[] = [];
  const actors: unknown[] = [];
  let judging = 0;
  let most = 0;
  const experiments = {
    unscored: async () => rows.filter((r) => r.status === 'running'),
    get: async (_t: string, id: string) => rows.find((r) => r.id === id) ?? null,
    complete: async (r: ExperimentRow, view: Evaluations.ExperimentView) => {
      const stored = rows.find((x) => x.id === r.id);
      if (!stored || stored.status !== 'running') return false;
      Object.assign(stored, { status: 'completed', result: view });
      stores.push(r.id);
      return true;
    },
  } as unknown as ExperimentRepository;
  const batches = {
    get: async (batchId: string, actor: unknown) => {
      actors.push(actor);
      return {
        batchId,
        status: batchId === 'ended' ? 'completed' : 'running',
        finishedAt: new Date().toISOString(),
        items: Array.from({ length: 10 }, (_, i) => ({
          taskId: `p${i}`,
          runTaskId: `r${i}`,
          status: 'done',
        })),
      } as unknown as Tasks.ReplayBatchView;
    },
  } as unknown as ReplayBatchRepository;
  const judge = {
    score: async () => {
      most = Math.max(most, ++judging);
      await new Promise((r) => setImmediate(r));
      judging--;
      return { name: 'judge', value: 1, scorerVersion: 'j1' };
    },
  } as unknown as LlmJudge;
  const sweepOf = () =>
    new ScoreExperimentsUseCase(
      experiments,
      new ExperimentScorer(
        experiments,
        { byId: async () => undefined } as unknown as DatasetRepository,
        batches,
        { trace: async () => trace, text: async () => '17 * 23?' } as unknown as RecordedTasks,
        judge,
        { observe: () => undefined } as unknown as ScoreMetrics,
      ),
      { REPLAY_BATCH_SWEEP_MS: 1_000 },
      { info: () => undefined, warn: () => undefined } as unknown as Logger,
    );
  return { rows, stores, actors, sweepOf, most: () => most };
}

describe(ScoreExperimentsUseCase.name, () => {
  it('scores an experiment whose batches ended with no read, and stores it once across replicas', async () => {
    const { rows, stores, sweepOf } = replicas();
    await Promise.all([sweepOf().sweep(), sweepOf().sweep()]);
    expect(stores).toEqual(['e1']);
    const e1 = rows[0]?.result as Evaluations.ExperimentView;
    expect(e1.status).toBe('completed');
    expect(e1.items.map((i) => i.taskId)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(rows[1]?.status).toBe('running'); // its batch still runs
  });

  it('asks the judge for a few items at once, no more', async () => {
    const { stores, sweepOf, most } = replicas();
    await sweepOf().sweep();
    expect(stores).toEqual(['e1']);
    expect(most()).toBeGreaterThan(1);
    expect(most()).toBeLessThanOrEqual(EXPERIMENT_SCORING_CONCURRENCY);
  });

  it("scores as its creator in its tenant, with the role they started it with (an admin: the tenant's tasks)", async () => {
    const { actors, sweepOf } = replicas();
    await sweepOf().sweep();
    expect(actors).toContainEqual({ userId: 'alan', role: 'admin', tenantId: 'acme' });
  });

  it("scores a plain user's experiment as that user, never with more rights than their own read", () => {
    expect(scorerOf(row('e9', 'b9', 'user'))).toEqual({
      userId: 'alan',
      role: 'user',
      tenantId: 'acme',
    });
  });
});

describe(mapBounded.name, () => {
  it('answers in order, at most `limit` at once', async () => {
    let now = 0;
    let most = 0;
    const out = await mapBounded([1, 2, 3, 4, 5], 2, async (x) => {
      most = Math.max(most, ++now);
      await new Promise((r) => setImmediate(r));
      now--;
      return x * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
  });
});
