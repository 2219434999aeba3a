import { Inject, Injectable } from '@nestjs/common';
import { IllegalTransition } from '@switchboard/contracts';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type JournalCounts, journaledOf } from '../journal/task-journal.repository.js';
import type { JournalBatch } from '../task-event.stream.js';
import { TASK_STATE, type TaskState, type TaskStateTrigger } from './task-state.machine.js';

/**
 * What a transition's statement runs on: the client, or a transaction another repository holds (the
 * thread gate's, so a task's place in line and its row move together).
 */
export type StateDb = Pick<Prisma.TransactionClient, '$queryRaw'>;

/** A transition written by another statement, as its common table expression. */
export interface StateCte {
  name: string;
  sql: Prisma.Sql;
}

/** One step of the stored machine: the event, the states it may leave, and (optionally) the version. */
export interface TransitionRequest {
  on: TaskStateTrigger;
  /** The states the caller expects the row in; each must take `on` to the same state. */
  from: TaskState | readonly TaskState[];
  /** The version the caller read: the row moves only if nothing moved it since. */
  expectedVersion?: number;
  /** Narrows the row to its tenant (the task's submitter's). */
  tenantId?: string;
}

/**
 * What else the transition writes, in the same statement (one transaction): it happens only if the
 * row moved. `set` adds columns to the row's update (result, error, usage, finishedAt…); `with` adds
 * common table expressions that read `moved` (the row as updated, e.g. `INSERT … SELECT … FROM moved`);
 * `select` adds columns to the answer: `moved`'s are the row as written, `t`'s the row as the statement
 * found it (its snapshot, not its own writes). The
 * task event journal and its audit records join here: `INSERT INTO "TaskEvent" … FROM moved`.
 */
export interface ExtraWrites {
  set?: Prisma.Sql;
  with?: readonly { name: string; sql: Prisma.Sql }[];
  select?: Prisma.Sql;
}

export type TransitionResult<R> =
  | { moved: true; state: TaskState; version: number; extra: R }
  | {
      moved: false;
      /** What the statement saw: someone else moved it (or it has no row: undefined). */
      state: TaskState | undefined;
      version: number | undefined;
      extra: R;
    };

/** A transition the table does not have: a bug in its caller, never a race or a user's error. */
export class IllegalTaskTransition extends IllegalTransition {
  constructor(from: TaskState, on: TaskStateTrigger, to?: TaskState) {
    super(TASK_STATE.definition.name, from, on);
    this.message = `stored task: "${on}" does not move "${from}"${to ? ` to "${to}"` : ''}`;
  }
}

/**
 * The one writer of `Task.status`. A transition is one statement that compares and sets the row's
 * state and version (`WHERE status IN (…) [AND version = …]`, `version + 1`) together with what the
 * transition writes besides: the row moves with all of them or not at all. A row in another state
 * (or version) is a lost race, reported with what the statement saw, for the caller to handle as a
 * redelivery or a second replica: never overwritten.
 */
@Injectable()
export class TaskStateStore {
  constructor(@Inject(PrismaService) private readonly prisma: StateDb) {}

  /** The same store writing in `tx`: its transitions commit (or roll back) with that transaction. */
  static within(tx: StateDb): TaskStateStore {
    return new TaskStateStore(tx);
  }

  /** Where `on` takes the task from `from`; throws IllegalTaskTransition when a `from` does not take it. */
  static target(on: TaskStateTrigger, from: TaskState | readonly TaskState[]): TaskState {
    const froms: readonly TaskState[] = typeof from === 'string' ? [from] : from;
    let to: TaskState | undefined;
    for (const f of froms) {
      const next = TASK_STATE.target(f, on);
      if (next === undefined || (to !== undefined && next !== to))
        throw new IllegalTaskTransition(f, on, to);
      to = next;
    }
    if (to === undefined) throw new Error(`stored task: "${on}" names no state to leave`);
    return to;
  }

  /**
   * The state a task without a row enters when its first transition is `on` (the insert's status):
   * a task nobody stored is queued implicitly (its submission on the stream).
   */
  static created(on?: TaskStateTrigger): TaskState {
    return on === undefined ? TASK_STATE.definition.initial : this.target(on, 'queued');
  }

  /**
   * The transition as one common table expression (named `task_state`) for a statement that writes
   * the task's other rows — the step a delegation ended with — so the state moves in that statement's
   * transaction. It does not gate the statement's other writes: a row in another state (a cancel was
   * stored meanwhile) stays as it is, and what else the statement writes is written. A statement
   * that moves the row itself must not take it (a row is updated once per statement).
   */
  static alongside(taskId: string, req: Pick<TransitionRequest, 'on' | 'from'>): StateCte {
    const to = TaskStateStore.target(req.on, req.from);
    const from = typeof req.from === 'string' ? [req.from] : [...req.from];
    return {
      name: 'task_state',
      sql: Prisma.sql`
        UPDATE "Task" SET "status" = ${to}, "version" = "version" + 1,
          "updatedAt" = (now() AT TIME ZONE 'UTC')
        WHERE "id" = ${taskId}::uuid AND "status" = ANY(${from}::text[])
        RETURNING 1`,
    };
  }

  /**
   * `journal`: the task's pending events (and deferred writes), journaled with the transition — its
   * events and their webhook deliveries only if the row moved.
   */
  async transition<R extends object = Record<string, never>>(
    taskId: string,
    req: TransitionRequest,
    extraWrites: ExtraWrites = {},
    journal?: JournalBatch,
  ): Promise<TransitionResult<R>> {
    const extra = journal ? withJournal(extraWrites, journal) : extraWrites;
    const to = TaskStateStore.target(req.on, req.from);
    const from = typeof req.from === 'string' ? [req.from] : [...req.from];
    const tenant =
      req.tenantId === undefined ? Prisma.empty : Prisma.sql`AND "tenantId" = ${req.tenantId}`;
    // Another tenant's row is no row to this caller.
    const tenantOfT =
      req.tenantId === undefined ? Prisma.empty : Prisma.sql`AND t."tenantId" = ${req.tenantId}`;
    const version =
      req.expectedVersion === undefined
        ? Prisma.empty
        : Prisma.sql`AND "version" = ${req.expectedVersion}::int`;
    const ctes = (extra.with ?? []).map(
      (c) => Prisma.sql`, ${Prisma.raw(`"${c.name}"`)} AS (${c.sql})`,
    );
    const [row] = await this.prisma.$queryRaw<
      ({ movedVersion: number | null; seenState: string | null; seenVersion: number | null } & R)[]
    >`
      WITH moved AS (
        UPDATE "Task" SET "status" = ${to}, "version" = "version" + 1,
          "updatedAt" = (now() AT TIME ZONE 'UTC')${extra.set ? Prisma.sql`, ${extra.set}` : Prisma.empty}
        WHERE "id" = ${taskId}::uuid AND "status" = ANY(${from}::text[]) ${tenant} ${version}
        RETURNING *
      )${ctes.length ? Prisma.join(ctes, '') : Prisma.empty}
      SELECT (SELECT "version" FROM moved) AS "movedVersion", t."status" AS "seenState",
             t."version" AS "seenVersion"${extra.select ? Prisma.sql`, ${extra.select}` : Prisma.empty}
      FROM (SELECT 1) AS one LEFT JOIN "Task" t ON t."id" = ${taskId}::uuid ${tenantOfT}`;
    if (!row) throw new Error(`stored task ${taskId}: the transition returned nothing`);
    const { movedVersion, seenState, seenVersion, journaled, webhooksDue, auditIds, ...rest } =
      row as typeof row & Partial<JournalCounts>;
    journal?.committed(journaledOf({ journaled, webhooksDue, auditIds }));
    const answer = rest as unknown as R;
    if (movedVersion !== null)
      return { moved: true, state: to, version: movedVersion, extra: answer };
    return {
      moved: false,
      state: (seenState ?? undefined) as TaskState | undefined,
      version: seenVersion ?? undefined,
      extra: answer,
    };
  }
}

/** `extra` with the journal's writes added (gated on the row moving). */
function withJournal(extra: ExtraWrites, journal: JournalBatch): ExtraWrites {
  const w = journal.writes('moved');
  return {
    ...extra,
    with: [...(extra.with ?? []), ...w.with],
    select: extra.select ? Prisma.sql`${extra.select}, ${w.select}` : w.select,
  };
}
