import { describe, expect, it } from '@jest/globals';
import {
  type Actor,
  type Agents,
  Evaluations,
  isDomainError,
  type Tasks,
} from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { AgentRepository } from '../../../agent-versions/agent.repository.js';
import type { StartBatchUseCase } from '../../../replay/batches/start-batch/start-batch.use-case.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import type { ExperimentRepository } from '../experiment.repository.js';
import type { ReadExperimentUseCase } from '../read-experiment/read-experiment.use-case.js';
import { StartExperimentUseCase } from './start-experiment.use-case.js';

const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const TASKS = [randomUUID(), randomUUID()];
const version = (n: number) => ({ versionId: randomUUID(), version: n }) as Agents.AgentVersionView;
const V = { 1: version(1), 2: version(2) } as Record<number, Agents.AgentVersionView>;

function setup(items: string[] = TASKS) {
  const batches: Tasks.ReplayBatchBody[] = [];
  const created: unknown[] = [];
  const sut = new StartExperimentUseCase(
    {
      get: async (_t: string, name: string) =>
        name === 'prod'
          ? {
              id: randomUUID(),
              view: { name, version: 3, items: items.map((taskId) => ({ taskId })) },
            }
          : undefined,
    } as unknown as DatasetRepository,
    {
      find: async (_t: string, name: string) =>
        name === 'support' ? { id: 'agent-1', view: { agent: 'support' } } : undefined,
      version: async (_a: string, n: number) => V[n],
      labelled: async (_a: string, label: string) => (label === 'production' ? V[1] : undefined),
    } as unknown as AgentRepository,
    {
      execute: async (body: Tasks.ReplayBatchBody) => {
        batches.push(body);
        return { batchId: randomUUID() };
      },
    } as unknown as StartBatchUseCase,
    {
      create: async (row: object) => {
        created.push(row);
        return row;
      },
    } as unknown as ExperimentRepository,
    { viewOf: async (row: unknown) => row } as unknown as ReadExperimentUseCase,
  );
  return { sut, batches, created };
}

const body = (over: object = {}) =>
  Evaluations.ExperimentBody.parse({
    dataset: 'prod',
    agent: { name: 'support', version: 2 },
    baseline: { label: 'production' },
    scorers: [{ kind: 'contains' }],
    ...over,
  });

describe(StartExperimentUseCase.name, () => {
  it('runs the dataset onto the candidate and the baseline, each pinned by its version number', async () => {
    const { sut, batches, created } = setup();
    await sut.execute(body(), alan, 'c');
    expect(batches).toEqual([
      { taskIds: TASKS, changes: { agent: { name: 'support', version: 2 } }, concurrency: 4 },
      { taskIds: TASKS, changes: { agent: { name: 'support', version: 1 } }, concurrency: 4 },
    ]);
    expect(created[0]).toMatchObject({
      tenantId: 'acme',
      datasetVersion: 3,
      version: 2,
      versionId: V[2]?.versionId,
      baselineVersion: 1,
      createdBy: 'alan',
    });
  });

  it('runs no baseline batch without a baseline', async () => {
    const { sut, batches, created } = setup();
    await sut.execute(body({ baseline: undefined }), alan, 'c');
    expect(batches).toHaveLength(1);
    expect(created[0]).toMatchObject({ baselineVersionId: null, baselineBatchId: null });
  });

  it('refuses what it cannot run, naming the field, before anything starts', async () => {
    const cases: [object, string[], string][] = [
      [{ dataset: 'other' }, TASKS, 'NOT_FOUND'],
      [{}, [], 'dataset'],
      [{ agent: { name: 'sales', version: 2 } }, TASKS, 'agent.name'],
      [{ agent: { name: 'support', version: 9 } }, TASKS, 'agent.version'],
      [{ baseline: { label: 'staging' } }, TASKS, 'baseline.label'],
    ];
    for (const [over, items, field] of cases) {
      const { sut, batches } = setup(items);
      const e = await sut.execute(body(over), alan, 'c').catch((x: unknown) => x);
      const got = isDomainError(e)
        ? e.code === 'NOT_FOUND'
          ? e.code
          : (e.details as { issues: { path: string }[] }).issues[0]?.path
        : e;
      expect([over, got]).toEqual([over, field]);
      expect(batches).toEqual([]);
    }
  });
});
