import { describe, expect, it } from '@jest/globals';
import { Evaluations } from '@switchboard/contracts';
import type { ExperimentRepository, ExperimentRow } from '../experiment.repository.js';
import { EXPERIMENT_LIST_LIMIT, ListExperimentsUseCase } from './list-experiments.use-case.js';

const at = new Date('2026-11-28T03:00:00.000Z');
const row = (over: Partial<ExperimentRow>): ExperimentRow =>
  ({
    id: '6f1c2a52-1d0e-4c8f-9a43-0f6f7c1b2d3e',
    tenantId: 'acme',
    datasetId: 'd1',
    datasetVersion: 3,
    agent: 'support',
    version: 2,
    baselineVersion: 1,
    status: 'running',
    result: null,
    createdBy: 'alan',
    createdAt: at,
    ...over,
  }) as ExperimentRow;

const completed: Evaluations.ExperimentView = {
  experimentId: '6f1c2a52-1d0e-4c8f-9a43-0f6f7c1b2d3e',
  status: 'completed',
  dataset: 'support-tasks',
  datasetVersion: 3,
  agent: 'support',
  version: 2,
  baselineVersion: 1,
  scorers: [{ kind: 'contains', caseSensitive: false }],
  items: [],
  candidate: { items: 4, means: { contains: 0.5 }, mean: 0.5, tokens: 0, costUsd: 0, diverged: 1 },
  pairwise: { better: 0, worse: 2, same: 1, diverged: 1 },
  passed: false,
  createdBy: 'alan',
  createdAt: at.toISOString(),
};

describe(ListExperimentsUseCase.name, () => {
  const asked: unknown[][] = [];
  const sut = new ListExperimentsUseCase({
    list: async (...args: unknown[]) => {
      asked.push(args);
      return [
        {
          row: row({ status: 'completed', result: completed as object }),
          dataset: 'support-tasks',
        },
        { row: row({ id: 'e2', baselineVersion: null }), dataset: undefined },
      ];
    },
  } as unknown as ExperimentRepository);

  it("lists a user's own experiments, an admin's the tenant's, newest first and bounded", async () => {
    asked.length = 0;
    await sut.execute({ userId: 'alan', role: 'user', tenantId: 'acme' });
    await sut.execute({ userId: 'root', role: 'admin', tenantId: 'acme' });
    expect(asked).toEqual([
      ['acme', 'alan', EXPERIMENT_LIST_LIMIT],
      ['acme', undefined, EXPERIMENT_LIST_LIMIT],
    ]);
  });

  it('says the verdict of a scored one, and only what it ran of one still running', async () => {
    const { experiments } = await sut.execute({ userId: 'alan', role: 'user', tenantId: 'acme' });
    expect(experiments).toEqual([
      {
        experimentId: completed.experimentId,
        status: 'completed',
        dataset: 'support-tasks',
        datasetVersion: 3,
        agent: 'support',
        version: 2,
        baselineVersion: 1,
        items: 4,
        mean: 0.5,
        pairwise: { better: 0, worse: 2, same: 1, diverged: 1 },
        passed: false,
        createdBy: 'alan',
        createdAt: at.toISOString(),
      },
      {
        experimentId: 'e2',
        status: 'running',
        dataset: '(deleted)',
        datasetVersion: 3,
        agent: 'support',
        version: 2,
        createdBy: 'alan',
        createdAt: at.toISOString(),
      },
    ]);
    // what the orchestrator answers passes the contract's check of the reply
    expect(Evaluations.ExperimentSummary.safeParse(experiments[0]).success).toBe(true);
  });
});
