import { describe, expect, it } from '@jest/globals';
import {
  type Actor,
  type Agents,
  Evaluations,
  isDomainError,
  type Tasks,
} from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import type { AgentRepository } from '../../../agent-versions/agent.repository.js';
import type { StartBatchUseCase } from '../../../replay/batches/start-batch/start-batch.use-case.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import type { ExperimentRepository } from '../experiment.repository.js';
import type { ReadExperimentUseCase } from '../read-experiment/read-experiment.use-case.js';
import { LiveToolsCheck } from './live-tools.check.js';
import { EXPERIMENT_MAX_ITEMS, StartExperimentUseCase } from './start-experiment.use-case.js';

const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const TASKS = [randomUUID(), randomUUID()];
const version = (n: number) => ({ versionId: randomUUID(), version: n }) as Agents.AgentVersionView;
const V = { 1: version(1), 2: version(2) } as Record<number, Agents.AgentVersionView>;

type Item = string | { taskId: string; step?: number };

function setup(items: Item[] = TASKS, offered: string[] = ['calculator', 'time.now']) {
  const batches: [Omit<Tasks.ReplayBatchBody, 'taskIds' | 'filter'>, unknown][] = [];
  const created: unknown[] = [];
  const sut = new StartExperimentUseCase(
    {
      get: async (_t: string, name: string) =>
        name === 'prod'
          ? {
              id: randomUUID(),
              view: {
                name,
                version: 3,
                items: items.map((i) => (typeof i === 'string' ? { taskId: i } : i)),
              },
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
      executeItems: async (b: Tasks.ReplayBatchBody, runs: unknown) => {
        batches.push([b, runs]);
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
    // the real check over a manifest offering `offered`
    new LiveToolsCheck({
      request: async () => ({ tools: offered.map((name) => ({ name })) }),
    } as unknown as NatsBus),
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
    const items = TASKS.map((taskId) => ({ taskId }));
    expect(batches).toEqual([
      [{ changes: { agent: { name: 'support', version: 2 } }, concurrency: 4 }, items],
      [{ changes: { agent: { name: 'support', version: 1 } }, concurrency: 4 }, items],
    ]);
    expect(created[0]).toMatchObject({
      tenantId: 'acme',
      datasetVersion: 3,
      version: 2,
      versionId: V[2]?.versionId,
      baselineVersion: 1,
      createdBy: 'alan',
      createdByRole: 'admin',
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
      [{ liveTools: ['time.now', 'notes.add'] }, TASKS, 'liveTools.1'],
      [{}, Array.from({ length: EXPERIMENT_MAX_ITEMS + 1 }, () => randomUUID()), 'dataset'],
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

  it('runs each item from the step it names, each task once per step, past the old 200', async () => {
    const [a, b] = TASKS as [string, string];
    const many = Array.from({ length: 1_000 }, () => randomUUID());
    const { sut, batches } = setup([{ taskId: a, step: 2 }, { taskId: a, step: 2 }, a, b, ...many]);
    await sut.execute(body({ baseline: undefined }), alan, 'c');
    const runs = batches[0]?.[1] as { taskId: string; step?: number }[];
    expect(runs.slice(0, 3)).toEqual([{ taskId: a, step: 2 }, { taskId: a }, { taskId: b }]);
    expect(runs).toHaveLength(1_003);
  });

  it('passes the read-only tools to both batches and keeps them on the experiment', async () => {
    const { sut, batches, created } = setup();
    await sut.execute(body({ liveTools: ['time.now'] }), alan, 'c');
    expect(batches.map(([b]) => b.changes.liveTools)).toEqual([['time.now'], ['time.now']]);
    expect(created[0]).toMatchObject({ liveTools: ['time.now'] });
  });
});
