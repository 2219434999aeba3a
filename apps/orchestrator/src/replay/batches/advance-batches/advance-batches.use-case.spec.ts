import { describe, expect, it, jest } from '@jest/globals';
import { type Tenancy, Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { PrismaService } from '../../../prisma/prisma.service.js';
import type { TaskAdmission } from '../../../quotas/task-admission.js';
import type { ItemRow } from '../batch-plan.js';
import type { BatchHead, ReplayBatchRepository } from '../replay-batch.repository.js';
import { runTaskIdOf } from '../run-ids.js';
import { AdvanceBatchesUseCase, originOf } from './advance-batches.use-case.js';
import { TaskCore } from '../../../tasks/index.js';

const BATCH = '0b0e6c36-1f2a-4c1e-9f4e-2d5b6c7d8e9f';
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

describe('how a batch runs a task again', () => {
  it('replays it when only the guardrails change (a what-if: nothing is called)', () => {
    const guardrails = { disallowedKeywords: ['merger'], disallowedPatterns: [] };
    const origin = originOf({ id: BATCH, mode: 'replay', changes: { guardrails } }, TASK);
    expect(origin).toEqual({ kind: 'replay', of: TASK, batchId: BATCH, edits: { guardrails } });
    expect(Tasks.RunOrigin.safeParse(origin).success).toBe(true);
    expect(originOf({ id: BATCH, mode: 'replay', changes: {} }, TASK)).toEqual({
      kind: 'replay',
      of: TASK,
      batchId: BATCH,
    });
  });

  it('forks it from its first round with the new model on the LLM planner, tools answered from the record', () => {
    const origin = originOf(
      { id: BATCH, mode: 'fork', changes: { model: 'model-b', systemPrompt: 'Be brief.' } },
      TASK,
    );
    expect(origin).toEqual({
      kind: 'fork',
      of: TASK,
      batchId: BATCH,
      from: { round: 1 },
      edits: { model: 'model-b', planner: 'llm', systemPrompt: 'Be brief.', tools: 'recorded' },
    });
    expect(Tasks.RunOrigin.safeParse(origin).success).toBe(true);
  });

  it('forks it onto an agent version from its first round (an experiment): tools from the record, no planner forced', () => {
    const origin = originOf(
      { id: BATCH, mode: 'fork', changes: { agent: { name: 'support', version: 2 } } },
      TASK,
    );
    expect(origin).toEqual({
      kind: 'fork',
      of: TASK,
      batchId: BATCH,
      from: { round: 1 },
      edits: { tools: 'recorded' },
    });
  });

  it("forks an experiment's item from the recorded step it names, with the batch's read-only tools", () => {
    const origin = originOf(
      {
        id: BATCH,
        mode: 'fork',
        changes: { agent: { name: 'support', version: 2 }, liveTools: ['time.now'] },
      },
      TASK,
      3,
    );
    expect(origin).toEqual({
      kind: 'fork',
      of: TASK,
      batchId: BATCH,
      from: { step: 3 },
      edits: { tools: 'recorded', liveTools: ['time.now'] },
    });
    expect(Tasks.RunOrigin.safeParse(origin).success).toBe(true);
  });

  it("names each item's run by the batch and its place: the same id on every replica, another per item", () => {
    expect(runTaskIdOf(BATCH, 0)).toBe(runTaskIdOf(BATCH, 0));
    expect(runTaskIdOf(BATCH, 0)).not.toBe(runTaskIdOf(BATCH, 1));
    expect(Tasks.TaskId.safeParse(runTaskIdOf(BATCH, 7)).success).toBe(true);
  });
});

describe("a batch's runs and its tenant's quota", () => {
  const head: BatchHead = {
    id: BATCH,
    actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
    mode: 'replay',
    changes: {},
    correlationId: 'c',
  };
  const item = (position: number): ItemRow => ({
    position,
    taskId: TASK,
    runTaskId: null,
    status: 'running',
    outcome: null,
    summary: null,
  });
  const full: Tenancy.QuotaExceeded = {
    quota: 'concurrentTasks',
    scope: 'tenant',
    tenantId: 'acme',
    limit: 2,
    used: 2,
    retryAfterSeconds: 5,
  };

  /**
   * A batch starting three items, against a quota that admits `room` of them; `lost`: the starts the
   * repository reports lost (sent again), and the periods it was asked about.
   */
  async function advanceWithRoom(room: number, lost: ItemRow[] = [], h: BatchHead = head) {
    const published: string[] = [];
    const requests: Tasks.TaskRequest[] = [];
    const queued: string[] = [];
    const admitted: unknown[] = [];
    const lostAfter: number[] = [];
    const batches = {
      advance: async () => ({ head: h, started: [item(0), item(1), item(2)] }),
      lostStarts: async (_batchId: string, olderThanMs: number) => {
        lostAfter.push(olderThanMs);
        return lost;
      },
      head: async () => h,
    } as unknown as ReplayBatchRepository;
    const prisma = {
      task: { findMany: async () => [{ id: TASK, text: 'what is 6 * 7' }] },
    } as unknown as PrismaService;
    const jetstream = {
      publish: async (_s: unknown, _t: unknown, sub: Tasks.TaskSubmission) => {
        // Stored queued (with its origin) before it is sent.
        expect(queued).toContain(sub.taskId);
        published.push(sub.taskId);
        requests.push(sub.request);
        return { seq: published.length, duplicate: false };
      },
    } as unknown as JetStreamService;
    const admission = {
      admit: async (s: unknown) => {
        admitted.push(s);
        return admitted.length > room ? full : undefined;
      },
    } as unknown as TaskAdmission;
    const sut = new AdvanceBatchesUseCase(
      batches,
      prisma,
      { REPLAY_BATCH_SWEEP_MS: 1_000, REPLAY_BATCH_LOST_AFTER_MS: 4_000 },
      { info: jest.fn(), warn: jest.fn() } as unknown as Logger,
      admission,
      new TaskCore(
        {
          enqueue: async (sub: Tasks.TaskSubmission) => {
            expect(sub.run).toMatchObject({ of: TASK });
            queued.push(sub.taskId);
          },
        } as unknown as ConstructorParameters<typeof TaskCore>[0],
        {} as never,
        jetstream,
      ),
    );
    await sut.advance(BATCH);
    return { published, admitted, lostAfter, queued, requests };
  }

  it("submits an experiment's runs naming its agent version (each is stamped with it)", async () => {
    const agent = { name: 'support', label: 'staging' };
    const { requests } = await advanceWithRoom(3, [], {
      ...head,
      mode: 'fork',
      changes: { agent },
    });
    expect(requests).toEqual([0, 1, 2].map(() => ({ task: 'what is 6 * 7', agent })));
  });

  it('admits each run as the batch owner before it is sent', async () => {
    const { published, admitted } = await advanceWithRoom(3);
    expect(published).toEqual([0, 1, 2].map((p) => runTaskIdOf(BATCH, p)));
    expect(admitted).toEqual(
      [0, 1, 2].map((p) => ({ taskId: runTaskIdOf(BATCH, p), actor: head.actor })),
    );
  });

  it('sends none past the first refusal: the rest wait for a later sweep', async () => {
    const { published, admitted, queued } = await advanceWithRoom(1);
    expect(published).toEqual([runTaskIdOf(BATCH, 0)]);
    // A refused run is not stored either: a read of it finds nothing, as before it is sent.
    expect(queued).toEqual([runTaskIdOf(BATCH, 0)]);
    expect(admitted).toHaveLength(2);
  });

  it('sends again the starts without a task past REPLAY_BATCH_LOST_AFTER_MS (a refused or lost one)', async () => {
    const waiting = { ...item(3), runTaskId: runTaskIdOf(BATCH, 3) };
    const { published, lostAfter } = await advanceWithRoom(4, [waiting]);
    expect(lostAfter).toEqual([4_000]);
    expect(published).toEqual([0, 1, 2, 3].map((p) => runTaskIdOf(BATCH, p)));
  });
});

describe('the replay batch sweep', () => {
  /** A sweep over `ids` (running batches) whose advance of each is recorded, `onAdvance` run in it. */
  function sweepOver(
    ids: string[],
    onAdvance: (id: string) => Promise<void> = async () => undefined,
  ) {
    const warn = jest.fn();
    const batches = { runningIds: async () => ids } as unknown as ReplayBatchRepository;
    const sut = new AdvanceBatchesUseCase(
      batches,
      {} as PrismaService,
      { REPLAY_BATCH_SWEEP_MS: 1_000, REPLAY_BATCH_LOST_AFTER_MS: 4_000 },
      { info: jest.fn(), warn } as unknown as Logger,
      {} as TaskAdmission,
      {} as TaskCore,
    );
    const advanced: string[] = [];
    jest.spyOn(sut, 'advance').mockImplementation(async (id) => {
      advanced.push(id);
      await onAdvance(id);
    });
    return { sut, advanced, warn };
  }

  it('advances each running batch in turn', async () => {
    const { sut, advanced } = sweepOver(['a', 'b', 'c']);
    await sut.sweep();
    expect(advanced).toEqual(['a', 'b', 'c']);
  });

  it("stops after the batch in progress when the module is destroyed: the rest are the next sweep's", async () => {
    let destroyed: Promise<void> | undefined;
    const { sut, advanced } = sweepOver(['a', 'b', 'c'], async () => {
      destroyed ??= sut.onModuleDestroy();
    });
    await sut.sweep();
    await destroyed;
    expect(advanced).toEqual(['a']);
  });

  it('sweeps every REPLAY_BATCH_SWEEP_MS once started; a failed sweep is logged and the next one retries', async () => {
    jest.useFakeTimers();
    try {
      let fail = true;
      const { sut, advanced, warn } = sweepOver(['a'], async () => {
        if (fail) throw new Error('database away');
      });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(999);
      expect(advanced).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(warn).toHaveBeenCalledWith(
        { err: new Error('database away') },
        'replay batch sweep failed; next one retries',
      );
      fail = false;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(advanced).toEqual(['a', 'a']);
      expect(warn).toHaveBeenCalledTimes(1);
      await sut.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(advanced).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
