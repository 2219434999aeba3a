import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import type { ReplayBatchRepository } from '../../../replay/batches/replay-batch.repository.js';
import type { RunTrace } from '../../../replay/run-trace.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import type { RecordedTasks } from '../../datasets/recorded-tasks.js';
import type { LlmJudge } from '../../scorers/llm-judge.js';
import type { ExperimentRepository, ExperimentRow } from '../experiment.repository.js';
import { expectedOf, ReadExperimentUseCase } from './read-experiment.use-case.js';

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
    createdBy: 'alan',
    status: 'running',
    result: null,
    agent: 'support',
    version: 2,
    baselineVersion: null,
    datasetVersion: 1,
    scorers: [{ kind: 'contains' }],
    batchId: 'b1',
    baselineBatchId: null,
    createdAt: new Date(),
  } as unknown as ExperimentRow;
  const sut = new ReadExperimentUseCase(
    {
      get: async (tenantId: string) => (tenantId === 'acme' ? row : null),
    } as unknown as ExperimentRepository,
    { byId: async () => undefined } as unknown as DatasetRepository,
    { get: async () => undefined } as unknown as ReplayBatchRepository,
    {} as RecordedTasks,
    {} as LlmJudge,
  );
  const code = (actor: Actor) =>
    sut.execute('e1', actor).then(
      () => 'read',
      (e: unknown) => (isDomainError(e) ? e.code : e),
    );

  it("is its creator's, or its tenant's admins': anyone else is answered as a missing one", async () => {
    expect(await code({ userId: 'bob', role: 'user', tenantId: 'acme' })).toBe('NOT_FOUND');
    expect(await code({ userId: 'gus', role: 'admin', tenantId: 'globex' })).toBe('NOT_FOUND');
    expect(await code({ userId: 'alan', role: 'user', tenantId: 'acme' })).toBe('read');
    expect(await code({ userId: 'ada', role: 'admin', tenantId: 'acme' })).toBe('read');
  });
});
