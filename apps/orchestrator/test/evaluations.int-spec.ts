import type { Evaluations } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { DatasetRepository } from '../src/evaluations/datasets/dataset.repository.js';
import { ExperimentRepository } from '../src/evaluations/experiments/experiment.repository.js';
import { LabelProtectionGate } from '../src/evaluations/label-protection/label-protection.gate.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { planAdvance } from '../src/replay/batches/batch-plan.js';
import { ReplayBatchRepository } from '../src/replay/batches/replay-batch.repository.js';

/**
 * Evaluations' storage on a real PostgreSQL (docs/evaluations.md): datasets are per tenant, writers
 * from separate pools (as separate replicas) give every change its own version and a rule never
 * passes its maxItems, and a protected label's gate opens only for a version with a passing
 * experiment on its dataset (or one reaching its threshold), in its own tenant; an experiment's
 * batch of 1,000 items (each with the step it starts from) moves by its concurrency and resumes on
 * another replica where it left off.
 */
describe('evaluations (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let datasets: DatasetRepository[];

  beforeAll(async () => {
    db = await createTestDatabase('orch_evaluations', 'orchestrator');
    prismas = [0, 1, 2].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    datasets = prismas.map((p) => new DatasetRepository(p));
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const repo = () => datasets[0] as DatasetRepository;

  it('keeps datasets per tenant: the same name elsewhere is another dataset, unseen from here', async () => {
    const a = await repo().create(randomUUID(), 'acme', { name: 'prod' }, 'ann');
    expect(a).toMatchObject({ name: 'prod', version: 0, items: [] });
    expect(await repo().create(randomUUID(), 'acme', { name: 'prod' }, 'bob')).toBeUndefined();
    const b = await repo().create(randomUUID(), 'globex', { name: 'prod' }, 'gus');
    expect(b).toBeDefined();
    const found = await repo().get('acme', 'prod');
    await repo().addItems(found!.id, [{ taskId: randomUUID() }], 'api');
    expect((await repo().get('acme', 'prod'))?.view.items).toHaveLength(1);
    expect((await repo().get('globex', 'prod'))?.view.items).toEqual([]);
    expect(await repo().get('initech', 'prod')).toBeUndefined();
  });

  it('gives concurrent adds from separate replicas each its version, and stops a rule at maxItems', async () => {
    const d = await repo().create(randomUUID(), 'acme', { name: 'busy' }, 'ann');
    const { id } = (await repo().get('acme', d!.name))!;
    const added = await Promise.all(
      datasets.flatMap((r) =>
        [0, 1].map(() => r.addItems(id, [{ taskId: randomUUID() }], 'rule', 4)),
      ),
    );
    expect(added.reduce((a, b) => a + b, 0)).toBe(4);
    const view = (await repo().get('acme', 'busy'))!.view;
    expect(view.items).toHaveLength(4);
    expect(view.version).toBe(4);
    expect(view.items.map((i) => i.addedIn).sort()).toEqual([1, 2, 3, 4]);
    // a task there already: the rule leaves it, the API re-expects it (a new version)
    const taskId = view.items[0]!.taskId;
    expect(await repo().addItems(id, [{ taskId }], 'rule')).toBe(0);
    await repo().addItems(id, [{ taskId, expectations: { answer: '391' } }], 'api');
    const after = (await repo().get('acme', 'busy'))!.view;
    expect(after.version).toBe(5);
    expect(after.items.find((i) => i.taskId === taskId)?.expectations).toEqual({ answer: '391' });
  });

  it("opens a protected label's gate only for a passing experiment on its dataset, in its tenant", async () => {
    const prisma = prismas[0] as PrismaService;
    const experiments = new ExperimentRepository(prisma);
    const gate = new LabelProtectionGate(prisma, experiments);
    const d = await repo().create(randomUUID(), 'acme', { name: 'gate' }, 'ann');
    const { id: datasetId } = (await repo().get('acme', d!.name))!;
    const agentId = randomUUID();
    const [v1, v2, v3] = [randomUUID(), randomUUID(), randomUUID()];
    // unprotected: every move
    expect(await gate.refusal('acme', agentId, 'production', v2)).toBeUndefined();
    await prisma.labelProtection.create({
      data: { agentId, tenantId: 'acme', label: 'production', datasetId, setBy: 'alan' },
    });
    expect(await gate.refusal('acme', agentId, 'production', v2)).toMatch(
      /passing experiment on dataset gate/,
    );
    expect(await gate.refusal('acme', agentId, 'staging', v2)).toBeUndefined();
    const result = (passed: boolean, mean: number) =>
      ({ passed, candidate: { mean } }) as unknown as Evaluations.ExperimentView;
    const stored = async (
      tenantId: string,
      versionId: string,
      view: Evaluations.ExperimentView,
    ) => {
      const row = await experiments.create({
        id: randomUUID(),
        tenantId,
        datasetId,
        datasetVersion: 0,
        agent: 'support',
        versionId,
        version: 2,
        baselineVersionId: v1,
        baselineVersion: 1,
        scorers: [],
        batchId: randomUUID(),
        baselineBatchId: randomUUID(),
        createdBy: 'alan',
        createdByRole: 'admin',
      });
      expect(await experiments.complete(row, view, [])).toBe(true);
      expect(await experiments.complete(row, view, [])).toBe(false); // stored once
    };
    await stored('acme', v2, result(false, 0.4));
    await stored('globex', v3, result(true, 1));
    expect(await gate.refusal('acme', agentId, 'production', v2)).toBeDefined();
    // another tenant's passing experiment of v3 does not open acme's gate
    expect(await gate.refusal('acme', agentId, 'production', v3)).toBeDefined();
    await stored('acme', v3, result(true, 0.7));
    expect(await gate.refusal('acme', agentId, 'production', v3)).toBeUndefined();
    // with a threshold, the mean decides
    await prisma.labelProtection.update({
      where: { agentId_label: { agentId, label: 'production' } },
      data: { threshold: 0.8 },
    });
    expect(await gate.refusal('acme', agentId, 'production', v3)).toMatch(/at least 0.8/);
  });

  it("runs an experiment's 1,000 items by its concurrency, each from its step, and resumes on another replica", async () => {
    const [a, b] = prismas as [PrismaService, PrismaService];
    const batchId = randomUUID();
    const actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      taskId: randomUUID(),
      ...(i % 2 ? { step: 2 } : {}),
    }));
    await new ReplayBatchRepository(a).create(
      {
        id: batchId,
        actor,
        mode: 'fork',
        changes: { agent: { name: 'support', version: 2 }, liveTools: ['time.now'] },
        concurrency: 4,
        correlationId: 'c',
      },
      items,
    );
    const runIds = new Map<string, string>();
    const advance = async (p: PrismaService) =>
      (
        await new ReplayBatchRepository(p).advance(batchId, planAdvance, (n) => {
          runIds.set(String(n), runIds.get(String(n)) ?? randomUUID());
          return runIds.get(String(n)) as string;
        })
      )?.started ?? [];
    const first = await advance(a);
    expect(first.map((i) => [i.position, i.step])).toEqual([
      [0, undefined],
      [1, 2],
      [2, undefined],
      [3, 2],
    ]);
    // a restart: another replica finds the four still running and starts nothing more
    expect(await advance(b)).toEqual([]);
    // two runs end: the next replica starts exactly two more, where the batch left off
    for (const n of ['0', '1'])
      await a.task.create({
        data: {
          id: runIds.get(n) as string,
          tenantId: 'acme',
          userId: 'alan',
          role: 'admin',
          status: 'completed',
          text: 't',
          request: { task: 't' },
          correlationId: 'c',
          result: '391',
        },
      });
    const next = await advance(b);
    expect(next.map((i) => [i.position, i.step])).toEqual([
      [4, undefined],
      [5, 2],
    ]);
    const view = await new ReplayBatchRepository(b).get(batchId, actor);
    expect(view?.totals).toMatchObject({ tasks: 1_000, done: 2 });
    expect(view?.items[5]).toMatchObject({ step: 2, status: 'running' });
    expect(view?.changes.liveTools).toEqual(['time.now']);
  });
});
