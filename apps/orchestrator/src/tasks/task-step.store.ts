import type { ErrorBody, Tasks } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../generated/prisma/client.js';
import type { PrismaService } from '../prisma/prisma.service.js';
import type { TaskRef } from '../tenancy/tenant-scope.js';
import { type JournalCounts, journaledOf, withClause } from './journal/task-journal.repository.js';
import { TaskStateStore } from './state/task-state.store.js';
import type { JournalBatch } from './task-event.stream.js';

export interface StepRecord extends TaskRef {
  index: number;
  action: Tasks.PlanAction;
  status: Tasks.StepStatus;
  output?: unknown;
  error?: ErrorBody;
  startedAt: Date;
  /** What the step reported while it ran (its tool's or agent's events), for a replay to re-emit. */
  events?: RecordedStepEvent[];
  /** A delegation's step: storing it moves the task from `waiting_remote` back to `running`. */
  remote?: boolean;
}

/** A tool's or an agent's event of one step, as a replay re-emits it (docs/replay.md). */
export interface RecordedStepEvent {
  name: Tasks.TaskEventName;
  data: Record<string, unknown>;
  message?: string;
}

/**
 * A task's steps as they run: each stored as it ends (with the task's pending events), and a
 * delegation's wait on its remote agent around it. TaskRepository offers them with the task's other
 * reads and writes; every status it writes goes through the TaskStateStore.
 */
export class TaskStepStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly states: TaskStateStore,
  ) {}

  /**
   * A delegation step starts: the task waits on a remote agent (`waiting_remote`), stored with its
   * pending events before the request goes out. False when the row is not `running`: a cancel was
   * stored (the run hears it), or a run resumed after a crash found it waiting so already.
   */
  async awaitRemote(taskId: string, tenantId: string, journal?: JournalBatch): Promise<boolean> {
    const r = await this.states.transition(
      taskId,
      { on: 'delegated', from: 'running', tenantId },
      {},
      journal,
    );
    return r.moved;
  }

  /**
   * Stores a step, with the task's pending events (`journal`) in the same statement; a delegation's
   * step moves the task back to `running` in it too (one transaction: the step's outcome and the
   * state).
   */
  async record(r: StepRecord, journal?: JournalBatch): Promise<void> {
    const state = r.remote
      ? [TaskStateStore.alongside(r.taskId, { on: 'remote-answered', from: 'waiting_remote' })]
      : [];
    if (!journal && !state.length) {
      await this.prisma.$executeRaw`${this.stepUpsert(r)}`;
      return;
    }
    const w = journal?.writes();
    const [row] = await this.prisma.$queryRaw<JournalCounts[]>`
      ${withClause([{ name: 'step', sql: Prisma.sql`${this.stepUpsert(r)} RETURNING 1` }, ...state, ...(w?.with ?? [])])}
      SELECT ${w?.select ?? Prisma.sql`true AS "stored"`}`;
    if (row && journal) journal.committed(journaledOf(row));
  }

  private stepUpsert(r: StepRecord): Prisma.Sql {
    // An upsert: a replica resuming after a crash may write a step the dead one had written.
    return Prisma.sql`
      INSERT INTO "Step" ("id", "taskId", "tenantId", "index", "actionId", "kind", "target", "status",
                          "input", "output", "error", "idempotencyKey", "events", "startedAt", "finishedAt")
      VALUES (${`${r.taskId}:${r.index}`}, ${r.taskId}::uuid, ${r.tenantId}, ${r.index}, ${r.action.id},
              ${r.action.kind}, ${r.action.target}, ${r.status}, ${jsonText(r.action.input)}::jsonb,
              ${jsonText(r.output)}::jsonb, ${jsonText(r.error)}::jsonb,
              ${`${r.taskId}:${r.action.id}`}, ${jsonText(r.events?.length ? r.events : undefined)}::jsonb,
              ${r.startedAt.toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'))
      ON CONFLICT ("id") DO UPDATE SET
        "actionId" = EXCLUDED."actionId", "kind" = EXCLUDED."kind", "target" = EXCLUDED."target",
        "status" = EXCLUDED."status", "input" = EXCLUDED."input", "output" = EXCLUDED."output",
        "error" = EXCLUDED."error", "idempotencyKey" = EXCLUDED."idempotencyKey",
        "events" = EXCLUDED."events",
        "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt"`;
  }
}
