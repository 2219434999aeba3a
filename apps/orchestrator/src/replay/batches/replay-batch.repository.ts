import { Injectable } from '@nestjs/common';
import { type Actor, Tasks, tenantOf } from '@switchboard/contracts';
import type { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { audienceOf, audienceWhere } from '../../tenancy/tenant-scope.js';
import {
  type BatchItemInput,
  type BatchPlan,
  type BatchState,
  type ItemRow,
  type ItemSummary,
  type TaskEnd,
  totalsOf,
} from './batch-plan.js';

/** A batch as it is created. */
export interface NewBatch {
  id: string;
  actor: Actor;
  mode: Tasks.RunKind;
  changes: Tasks.BatchChanges;
  concurrency: number;
  budget?: { tokens?: number; costUsd?: number };
  correlationId: string;
}

/** What the sweep needs of a batch to start its items. */
export interface BatchHead {
  id: string;
  actor: Actor;
  mode: Tasks.RunKind;
  changes: Tasks.BatchChanges;
  correlationId: string;
}

type Tx = Prisma.TransactionClient;
type BatchRow = Prisma.ReplayBatchGetPayload<{ include: { items: true } }>;

/**
 * Replay batches and their items (docs/replay.md). The batch row is the sweep's due list: a replica
 * advances a running batch inside a transaction holding its row (FOR UPDATE SKIP LOCKED), so two
 * replicas never start the same item; what it started is published after the commit, under the run's
 * own task id (JetStream de-duplicates a repeat).
 */
@Injectable()
export class ReplayBatchRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A batch and its items: task ids, or (an experiment's) tasks each with its starting step. */
  async create(b: NewBatch, items: readonly (string | BatchItemInput)[]): Promise<void> {
    await this.prisma.replayBatch.create({
      data: {
        id: b.id,
        tenantId: tenantOf(b.actor),
        userId: b.actor.userId,
        role: b.actor.role,
        status: 'running',
        mode: b.mode,
        changes: b.changes,
        concurrency: b.concurrency,
        ...(b.budget ? { budget: b.budget } : {}),
        correlationId: b.correlationId,
        // one statement for the items, however many (an experiment's may be thousands)
        items: {
          createMany: {
            data: items.map((item, position) => {
              const { taskId, step } =
                typeof item === 'string' ? { taskId: item, step: undefined } : item;
              return { position, taskId, status: 'pending', ...(step ? { fromStep: step } : {}) };
            }),
          },
        },
      },
    });
  }

  /**
   * The ended tasks `actor` may run again, of `ids` (in that order) or of the filter. The caller's
   * scope and the pick are two conditions ANDed, never one object spread: a filter naming `userId`
   * or `tenantId` narrows what the caller may see, it cannot replace the caller's own scope.
   */
  async endedTasks(
    actor: Actor,
    pick: { ids: readonly string[] } | Prisma.TaskWhereInput,
    limit: number,
  ) {
    const scope: Prisma.TaskWhereInput = {
      ...audienceWhere(audienceOf(actor)),
      status: { in: [...Tasks.TERMINAL_TASK_STATUSES] },
    };
    const rows = await this.prisma.task.findMany({
      where: { AND: [scope, 'ids' in pick ? { id: { in: [...pick.ids] } } : pick] },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  async runningIds(): Promise<string[]> {
    const rows = await this.prisma.replayBatch.findMany({
      where: { status: 'running' },
      select: { id: true },
      take: 100,
    });
    return rows.map((r) => r.id);
  }

  /**
   * One step of a running batch, if no other replica holds it: `decide` plans it from the stored
   * state, and the plan is stored (`runTaskIdOf` names each started item's run). Returns the batch
   * and the items started, to publish after the commit.
   */
  advance(
    batchId: string,
    decide: (state: BatchState) => BatchPlan,
    runTaskIdOf: (position: number) => string,
  ): Promise<{ head: BatchHead; started: ItemRow[] } | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "ReplayBatch" WHERE "id" = ${batchId}::uuid AND "status" = 'running'
        FOR UPDATE SKIP LOCKED`;
      if (!locked.length) return undefined;
      const batch = await tx.replayBatch.findUniqueOrThrow({
        where: { id: batchId },
        include: { items: { orderBy: { position: 'asc' } } },
      });
      const items = batch.items.map(itemRow);
      const plan = decide(await this.stateOf(tx, batch, items));
      await applyPlan(tx, batchId, plan, runTaskIdOf);
      const started = plan.start.flatMap((p) => {
        const i = items.find((x) => x.position === p);
        return i ? [{ ...i, status: 'running' as const, runTaskId: runTaskIdOf(p) }] : [];
      });
      return { head: headOf(batch), started };
    });
  }

  /**
   * Running items whose run never reached a replica (its submission was lost: no row, or its row
   * still queued): sent again.
   */
  async lostStarts(batchId: string, olderThanMs: number): Promise<ItemRow[]> {
    const rows = await this.prisma.$queryRaw<
      { position: number; taskId: string; fromStep: number | null; runTaskId: string }[]
    >`
      SELECT i."position", i."taskId", i."fromStep", i."runTaskId" FROM "ReplayBatchItem" i
      WHERE i."batchId" = ${batchId}::uuid AND i."status" = 'running'
        AND i."startedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${olderThanMs / 1000}::double precision)
        AND NOT EXISTS (SELECT 1 FROM "Task" t WHERE t."id" = i."runTaskId" AND t."status" <> 'queued')`;
    return rows.map(({ fromStep, ...r }) => ({
      ...r,
      ...(fromStep ? { step: fromStep } : {}),
      status: 'running',
      outcome: null,
      summary: null,
    }));
  }

  async head(batchId: string): Promise<BatchHead | undefined> {
    const b = await this.prisma.replayBatch.findUnique({ where: { id: batchId } });
    return b ? headOf(b) : undefined;
  }

  /** A batch `actor` may see (its creator's, or its tenant's for an admin), with its items. */
  async get(batchId: string, actor: Actor): Promise<Tasks.ReplayBatchView | undefined> {
    const b = await this.prisma.replayBatch.findFirst({
      where: { id: batchId, ...this.reach(actor) },
      include: { items: { orderBy: { position: 'asc' } } },
    });
    return b ? viewOf(b) : undefined;
  }

  async list(actor: Actor, limit: number): Promise<Tasks.ReplayBatchSummary[]> {
    const rows = await this.prisma.replayBatch.findMany({
      where: this.reach(actor),
      include: { items: { orderBy: { position: 'asc' } } },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map((b) => {
      const { items: _items, ...summary } = viewOf(b);
      return summary;
    });
  }

  private reach(actor: Actor): Prisma.ReplayBatchWhereInput {
    return audienceWhere(audienceOf(actor));
  }

  private async stateOf(tx: Tx, b: BatchRow, items: ItemRow[]): Promise<BatchState> {
    const runIds = items.flatMap((i) =>
      i.status === 'running' && i.runTaskId ? [i.runTaskId] : [],
    );
    // Only the running items' runs and originals: a batch of thousands reads what it compares now.
    const running = items.flatMap((i) => (i.status === 'running' ? [i.taskId] : []));
    const ended = await tx.task.findMany({
      where: {
        id: { in: [...runIds, ...running] },
        status: { in: [...Tasks.TERMINAL_TASK_STATUSES] },
      },
      select: { id: true, status: true, result: true, error: true, usage: true, verdict: true },
    });
    const ends = new Map(ended.map((t) => [t.id, taskEnd(t)]));
    const budget = b.budget as { tokens?: number; costUsd?: number } | null;
    return {
      mode: b.mode as Tasks.RunKind,
      concurrency: b.concurrency,
      ...(budget ? { budget } : {}),
      items,
      runs: new Map(runIds.flatMap((id) => (ends.has(id) ? [[id, ends.get(id) as TaskEnd]] : []))),
      originals: ends,
    };
  }
}

async function applyPlan(
  tx: Tx,
  batchId: string,
  plan: BatchPlan,
  runTaskIdOf: (position: number) => string,
): Promise<void> {
  const now = new Date();
  for (const f of plan.finished)
    await tx.replayBatchItem.update({
      where: { batchId_position: { batchId, position: f.position } },
      data: { status: 'done', outcome: f.outcome, summary: f.summary as object, finishedAt: now },
    });
  for (const s of plan.skip)
    await tx.replayBatchItem.update({
      where: { batchId_position: { batchId, position: s.position } },
      data: {
        status: 'skipped',
        outcome: 'skipped',
        summary: { reason: s.reason },
        finishedAt: now,
      },
    });
  for (const position of plan.start)
    await tx.replayBatchItem.update({
      where: { batchId_position: { batchId, position } },
      data: { status: 'running', runTaskId: runTaskIdOf(position), startedAt: now },
    });
  await tx.replayBatch.update({
    where: { id: batchId },
    data: { updatedAt: now, ...(plan.complete ? { status: 'completed', finishedAt: now } : {}) },
  });
}

function taskEnd(t: {
  status: string;
  result: string | null;
  error: unknown;
  usage: unknown;
  verdict: unknown;
}): TaskEnd {
  const usage = Tasks.TokenUsage.safeParse(t.usage);
  const verdict = Tasks.ReplayVerdict.safeParse(t.verdict);
  const message = (t.error as { message?: string } | null)?.message;
  return {
    status: t.status,
    result: t.result,
    ...(message ? { errorMessage: message } : {}),
    tokens: usage.success ? usage.data.totalTokens : 0,
    costUsd: usage.success ? (usage.data.costUsd ?? 0) : 0,
    ...(verdict.success ? { verdict: verdict.data } : {}),
  };
}

function itemRow(i: {
  position: number;
  taskId: string;
  fromStep: number | null;
  runTaskId: string | null;
  status: string;
  outcome: string | null;
  summary: unknown;
}): ItemRow {
  return {
    position: i.position,
    taskId: i.taskId,
    ...(i.fromStep ? { step: i.fromStep } : {}),
    runTaskId: i.runTaskId,
    status: i.status as ItemRow['status'],
    outcome: (i.outcome as Tasks.BatchOutcome | null) ?? null,
    summary: (i.summary as ItemSummary | null) ?? null,
  };
}

function headOf(b: {
  id: string;
  tenantId: string;
  userId: string;
  role: string;
  mode: string;
  changes: unknown;
  correlationId: string;
}): BatchHead {
  return {
    id: b.id,
    actor: {
      userId: b.userId,
      role: b.role,
      ...(b.tenantId !== 'default' ? { tenantId: b.tenantId } : {}),
    },
    mode: b.mode as Tasks.RunKind,
    changes: Tasks.BatchChanges.parse(b.changes),
    correlationId: b.correlationId,
  };
}

function viewOf(b: BatchRow): Tasks.ReplayBatchView {
  const items = b.items.map(itemRow);
  const budget = b.budget as { tokens?: number; costUsd?: number } | null;
  return {
    batchId: b.id,
    status: b.status === 'completed' ? 'completed' : 'running',
    mode: b.mode as Tasks.RunKind,
    userId: b.userId,
    changes: Tasks.BatchChanges.parse(b.changes),
    concurrency: b.concurrency,
    ...(budget ? { budget } : {}),
    createdAt: b.createdAt.toISOString(),
    ...(b.finishedAt ? { finishedAt: b.finishedAt.toISOString() } : {}),
    totals: totalsOf(items),
    items: items.map((i) => ({
      taskId: i.taskId,
      ...(i.step ? { step: i.step } : {}),
      ...(i.runTaskId ? { runTaskId: i.runTaskId } : {}),
      status: i.status,
      ...(i.outcome ? { outcome: i.outcome } : {}),
      ...(i.summary?.reason ? { reason: i.summary.reason } : {}),
      ...(i.summary?.answers ? { answers: i.summary.answers } : {}),
      ...(i.summary?.tokens ? { tokens: i.summary.tokens } : {}),
      ...(i.summary?.costUsd ? { costUsd: i.summary.costUsd } : {}),
      ...(i.summary?.divergence ? { divergence: i.summary.divergence } : {}),
    })),
  };
}
