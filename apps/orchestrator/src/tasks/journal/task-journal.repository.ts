import { Inject, Injectable } from '@nestjs/common';
import { type Audit, Tasks } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type TenantScope, tenantWhere } from '../../tenancy/tenant-scope.js';
import { JOURNAL_DELIVERY_SINKS, type JournalDeliverySink } from './journal-delivery.port.js';

/** Whose task the events are: what the journal and the webhooks' match need of it. */
export interface JournalOwner {
  tenantId: string;
  /** Its submitter (unknown for a dead-lettered submission without an actor: its row's is read). */
  userId?: string | undefined;
  /** Its request's own webhook. */
  webhook?: unknown;
}

/** Events of one task to journal together, and writes deferred to ride with them. */
export interface JournalEntry {
  taskId: string;
  owner: JournalOwner;
  /** Consecutive seqs, in order (may be empty when only deferred writes are due). */
  events: readonly Tasks.TaskEvent[];
  /** Statements (INSERT … RETURNING) that wait for the next commit, as common table expressions. */
  deferred: readonly JournalCte[];
  /** Audit records the transition owes, stored in JournalOutbox and relayed after the commit. */
  audit?: readonly Audit.AuditRecordInput[];
  /**
   * Where the statement was made (traceparentOf): what it makes due and is relayed after the commit
   * (its audit records, its deliveries) continues the task's trace from there.
   */
  traceparent?: string | undefined;
}

export interface JournalCte {
  name: string;
  sql: Prisma.Sql;
}

/** What a statement adds to journal an entry: its common table expressions and answer columns. */
export interface JournalWrites {
  with: readonly JournalCte[];
  /** `"journaled"` (the entry was written: the gate had a row), `"webhooksDue"` and `"auditIds"`. */
  select: Prisma.Sql;
}

/** The answer columns of JournalWrites.select. */
export interface JournalCounts {
  journaled: boolean;
  webhooksDue: number;
  /** The JournalOutbox rows of the audit records it stored (absent: none). */
  auditIds?: string[];
}

/** The journal's answer columns of a statement's row. */
export function journaledOf(row: Partial<JournalCounts>): JournalCounts {
  return {
    journaled: row.journaled === true,
    webhooksDue: row.webhooksDue ?? 0,
    ...(row.auditIds?.length ? { auditIds: row.auditIds } : {}),
  };
}

/** A page of a task's journal, as TaskEvents answers it. */
export interface JournalPage {
  /** The task's submitter (the reader must be them, or an admin of its tenant). */
  userId: string;
  events: Tasks.TaskEvent[];
  lastSeq: number;
  ended: boolean;
}

/**
 * The task journal (TaskEvent): every event of a task, by seq, committed in the transaction of the
 * step or transition that emitted it, together with the webhook deliveries it makes due. Writes are
 * common table expressions a caller's statement takes (`writes`), so journaling adds no transaction;
 * `write` is the statement of their own for events no step commits soon.
 */
@Injectable()
export class TaskJournalRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(JOURNAL_DELIVERY_SINKS) private readonly sinks: readonly JournalDeliverySink[],
  ) {}

  /**
   * The writes of `entry` for a statement; with `gate` (a common table expression of that statement,
   * e.g. a transition's `moved`), its events and deliveries are written only if the gate has a row.
   * Deferred writes run either way (they are upserts).
   */
  writes(entry: JournalEntry, gate?: string): JournalWrites {
    const ctes: JournalCte[] = [...entry.deferred];
    const gated = gate ? Prisma.raw(` WHERE EXISTS (SELECT 1 FROM "${gate}")`) : Prisma.empty;
    if (entry.events.length) {
      ctes.push({
        name: 'journal_events',
        sql: Prisma.sql`
          INSERT INTO "TaskEvent" ("taskId", "seq", "tenantId", "name", "event", "at")
          SELECT ${entry.taskId}::uuid, (e ->> 'seq')::int, ${entry.owner.tenantId}, e ->> 'name', e,
                 ((e ->> 'at')::timestamptz AT TIME ZONE 'UTC')
          FROM jsonb_array_elements(${jsonText(entry.events)}::jsonb) AS e${gated}
          ON CONFLICT DO NOTHING
          RETURNING 1`,
      });
      ctes.push(...this.deliveryWrites(entry, gate));
    }
    if (entry.audit?.length) ctes.push(auditWrite(entry, gated));
    const journaled = gate ? Prisma.raw(`EXISTS (SELECT 1 FROM "${gate}")`) : Prisma.raw('true');
    const sunk = ctes.filter((c) => c.name.startsWith(DELIVERIES));
    const due = sunk.length
      ? Prisma.raw(sunk.map((c) => `(SELECT count(*) FROM "${c.name}")::int`).join(' + '))
      : Prisma.raw('0');
    const audited = ctes.some((c) => c.name === AUDIT_OWED)
      ? Prisma.raw(`ARRAY(SELECT "id"::text FROM "${AUDIT_OWED}")`)
      : Prisma.raw(`'{}'::text[]`);
    return {
      with: ctes,
      select: Prisma.sql`${journaled} AS "journaled", ${due} AS "webhooksDue", ${audited} AS "auditIds"`,
    };
  }

  /** What the delivery sinks (webhooks, A2A push) store for `entry`'s events, gated like them. */
  private deliveryWrites(entry: JournalEntry, gate: string | undefined): JournalCte[] {
    const now = new Date();
    const item = {
      taskId: entry.taskId,
      events: entry.events,
      tenantId: entry.owner.tenantId,
      userId: entry.owner.userId,
      ...(entry.owner.webhook !== undefined ? { webhook: entry.owner.webhook } : {}),
      ...(entry.traceparent ? { traceparent: entry.traceparent } : {}),
    };
    return this.sinks.flatMap((sink, i) => {
      const sql = sink.statement(item, gate, now);
      return sql ? [{ name: `${DELIVERIES}${i}`, sql }] : [];
    });
  }

  /** Journals `entry` in a statement of its own. */
  async write(entry: JournalEntry): Promise<JournalCounts> {
    const w = this.writes(entry);
    const [row] = await this.prisma.$queryRaw<JournalCounts[]>`
      ${withClause(w.with)} SELECT ${w.select}`;
    return row ? journaledOf(row) : { journaled: false, webhooksDue: 0 };
  }

  /** The task's last journaled event (undefined when none is). */
  async last(taskId: string): Promise<Tasks.TaskEvent | undefined> {
    const [row] = await this.prisma.$queryRaw<{ event: unknown }[]>`
      SELECT "event" FROM "TaskEvent" WHERE "taskId" = ${taskId}::uuid ORDER BY "seq" DESC LIMIT 1`;
    const parsed = Tasks.TaskEvent.safeParse(row?.event);
    return parsed.success ? parsed.data : undefined;
  }

  /** The task's journaled events named `name`, in seq order. */
  async named(taskId: string, name: Tasks.TaskEventName): Promise<Tasks.TaskEvent[]> {
    const rows = await this.prisma.$queryRaw<{ event: unknown }[]>`
      SELECT "event" FROM "TaskEvent" WHERE "taskId" = ${taskId}::uuid AND "name" = ${name}
      ORDER BY "seq"`;
    return rows.flatMap((r) => {
      const parsed = Tasks.TaskEvent.safeParse(r.event);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /**
   * Up to `limit` events of the task after `afterSeq`, in `scope` (another tenant's task: undefined,
   * as one without a row), with its submitter, last seq and whether it ended: one statement.
   */
  async page(
    taskId: string,
    scope: TenantScope,
    afterSeq: number,
    limit: number,
  ): Promise<JournalPage | undefined> {
    const tenant = tenantWhere(scope).tenantId;
    const inTenant = tenant === undefined ? Prisma.empty : Prisma.sql`AND t."tenantId" = ${tenant}`;
    const [row] = await this.prisma.$queryRaw<
      { userId: string; events: unknown[]; lastSeq: number | null; lastName: string | null }[]
    >`
      SELECT t."userId",
        (SELECT coalesce(json_agg(p."event" ORDER BY p."seq"), '[]'::json) FROM (
           SELECT "event", "seq" FROM "TaskEvent"
           WHERE "taskId" = t."id" AND "seq" > ${afterSeq}::int ORDER BY "seq" LIMIT ${limit}::int
         ) p) AS "events",
        l."seq" AS "lastSeq", l."name" AS "lastName"
      FROM "Task" t
      LEFT JOIN LATERAL (
        SELECT "seq", "name" FROM "TaskEvent" WHERE "taskId" = t."id" ORDER BY "seq" DESC LIMIT 1
      ) l ON TRUE
      WHERE t."id" = ${taskId}::uuid ${inTenant}`;
    if (!row) return undefined;
    return {
      userId: row.userId,
      events: row.events as Tasks.TaskEvent[],
      lastSeq: row.lastSeq ?? 0,
      ended:
        row.lastName !== null &&
        Tasks.isTerminalTaskEvent({ name: row.lastName as Tasks.TaskEventName }),
    };
  }
}

/** The expression storing a transition's audit records in JournalOutbox (kind `audit`). */
const AUDIT_OWED = 'journal_audit';

/**
 * The audit records `entry` owes, as JournalOutbox rows (kind `audit`, the record as payload), gated
 * like its events: they exist exactly when the transition committed (the relay sends them after).
 */
function auditWrite(entry: JournalEntry, gated: Prisma.Sql): JournalCte {
  return {
    name: AUDIT_OWED,
    sql: Prisma.sql`
      INSERT INTO "JournalOutbox" ("kind", "taskId", "payload", "traceparent")
      SELECT 'audit', ${entry.taskId}::uuid, r, ${entry.traceparent ?? null}::text
      FROM jsonb_array_elements(${jsonText(entry.audit ?? [])}::jsonb) AS r${gated}
      RETURNING "id"`,
  };
}

/** The names of the delivery sinks' expressions: `journal_deliveries_0`, `_1`… */
const DELIVERIES = 'journal_deliveries_';

/** `WITH a AS (…), b AS (…)` (nothing without expressions). */
export function withClause(ctes: readonly JournalCte[]): Prisma.Sql {
  if (!ctes.length) return Prisma.empty;
  return Prisma.sql`WITH ${Prisma.join(
    ctes.map((c) => Prisma.sql`${Prisma.raw(`"${c.name}"`)} AS (${c.sql})`),
    ', ',
  )}`;
}
