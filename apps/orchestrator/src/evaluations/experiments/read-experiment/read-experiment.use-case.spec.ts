import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Tasks } from '@switchboard/contracts';
import type { ReplayBatchRepository } from '../../../replay/batches/replay-batch.repository.js';
import type { RunTrace } from '../../../replay/run-trace.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import type { RecordedTasks } from '../../datasets/recorded-tasks.js';
import type { LlmJudge } from '../../scorers/llm-judge.js';
import type { ScoreMetrics } from '../../scores/score.metrics.js';
import type { ExperimentRepository, ExperimentRow } from '../experiment.repository.js';
import { ExperimentScorer } from '../experiment.scorer.js';
import {
  EXPERIMENT_SCORING_GRACE_MS,
  expectedOf,
  ReadExperimentUseCase,
} from './read-experiment.use-case.js';

const recorded: RunTrace = {
  taskId: 'p',
  blocked: false,
  recalled: [],
  entries: [
    { at: 'round', round: 1, decision: { kind: 'actions', actions: [] } },
    {
      at: 'step',
      step: 1,
      round: 1,
      action: { kind: 'tool', target: 'calculator', input: { expression: '17 * 23' } },
      result: { status: 'completed', output: 391 },
    },
  ],
  outcome: { status: 'completed', answer: '391' },
  tokens: 0,
  status: 'completed',
};

describe('what an experiment scores a run against', () => {
  it("takes the recorded task's answer and tool calls for what the item does not expect", () => {
    expect(expectedOf({}, recorded)).toEqual({
      answer: '391',
      trajectory: [{ tool: 'calculator', args: { expression: '17 * 23' } }],
    });
  });

  it("keeps the item's own expectations over the record's", () => {
    const own = { answer: '400', trajectory: [{ tool: 'notes.add' }] };
    expect(expectedOf(own, recorded)).toEqual(own);
    expect(expectedOf({ schema: { type: 'object' } }, undefined)).toEqual({
      schema: { type: 'object' },
    });
  });
});

describe(ReadExperimentUseCase.name, () => {
  const row = {
    id: 'e1',
    tenantId: 'acme',
    datasetId: 'd1',
    createdBy: 'alan',
    status: 'running',
    result: null,
    agent: 'support',
    version: 2,
    baselineVersion: null,
    datasetVersion: 1,
    scorers: [{ kind: 'contains' }],
    liveTools: [],
    batchId: 'b1',
    baselineBatchId: null,
    createdAt: new Date(),
  } as unknown as ExperimentRow;
  const alan: Actor = { userId: 'alan', role: 'user', tenantId: 'acme' };

  /** A reader over one experiment whose batch ended `endedMsAgo` (or runs), counting its stores. */
  function fixture(endedMsAgo?: number) {
    const stored: unknown[] = [];
    const batch = {
      batchId: 'b1',
      status: endedMsAgo === undefined ? 'running' : 'completed',
      ...(endedMsAgo !== undefined
        ? { finishedAt: new Date(Date.now() - endedMsAgo).toISOString() }
        : {}),
      items: [{ taskId: 'p', runTaskId: 'r', status: 'done' }],
    } as unknown as Tasks.ReplayBatchView;
    const experiments = {
      get: async (tenantId: string) => (tenantId === 'acme' ? row : null),
      complete: async (_row: unknown, view: unknown) => (stored.push(view), true),
    } as unknown as ExperimentRepository;
    const scorer = new ExperimentScorer(
      experiments,
      { byId: async () => undefined } as unknown as DatasetRepository,
      { get: async () => batch } as unknown as ReplayBatchRepository,
      { trace: async () => recorded, text: async () => '17 * 23?' } as unknown as RecordedTasks,
      {} as LlmJudge,
      { observe: () => undefined } as unknown as ScoreMetrics,
    );
    return { sut: new ReadExperimentUseCase(experiments, scorer), stored };
  }

  it("is its creator's, or its tenant's admins': anyone else is answered as a missing one", async () => {
    const { sut } = fixture();
    const code = (actor: Actor) =>
      sut.execute('e1', actor).then(
        () => 'read',
        (e: unknown) => (isDomainError(e) ? e.code : e),
      );
    expect(await code({ userId: 'bob', role: 'user', tenantId: 'acme' })).toBe('NOT_FOUND');
    expect(await code({ userId: 'gus', role: 'admin', tenantId: 'globex' })).toBe('NOT_FOUND');
    expect(await code(alan)).toBe('read');
    expect(await code({ userId: 'ada', role: 'admin', tenantId: 'acme' })).toBe('read');
  });

  it('leaves the scoring of an experiment whose batches just ended to the sweep: it reads running', async () => {
    const { sut, stored } = fixture(1_000);
    expect((await sut.execute('e1', alan)).status).toBe('running');
    expect(stored).toHaveLength(0);
  });

  it('scores it itself, as a fallback, when no result was stored within the grace', async () => {
    const { sut, stored } = fixture(EXPERIMENT_SCORING_GRACE_MS + 1_000);
    const view = await sut.execute('e1', alan);
    expect(view.status).toBe('completed');
    expect(view.items.map((i) => i.taskId)).toEqual(['p']);
    expect(stored).toEqual([view]);
  });
});
