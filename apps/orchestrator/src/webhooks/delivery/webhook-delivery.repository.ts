import { Injectable } from '@nestjs/common';
import type { Webhooks } from '@switchboard/contracts';
import { Prisma, type WebhookDelivery } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type Audience, audienceWhere } from '../../tenancy/tenant-scope.js';
import { messageIdOf } from '../signing/webhook-signature.js';

/**
 * A task event to match against the webhooks that want it. The body every delivery of it is sent is
 * `head` + the task's tenant, owner and (a subscription's) webhook id + `tail`: what is known of the
 * event before the task's row is read is written here, the rest by the statement.
 */
export interface EventToMatch {
  taskId: string;
  seq: number;
  name: string;
  /** The webhook kinds that want it (Webhooks.webhookWants): a webhook asking for any of them. */
  kinds: readonly Webhooks.WebhookEventKind[];
  /** The task's tenant and owner as its run knows them (its row is read for what is not given). */
  tenantId?: string | undefined;
  userId?: string | undefined;
  /** The task's own webhook (its request's `webhook`), when its run knows it. */
  webhook?: unknown;
  /** The body up to the task id: `{"type":…,"timestamp":…,"data":{"taskId":…`. */
  head: string;
  /** The body from the event on: `,"event":{…}}}`. */
  tail: string;
  /** Where the event was journaled (a traceparent): the delivery's attempts continue that trace. */
  traceparent?: string | undefined;
}

/** A delivery this replica holds the lease of, to send now. */
export interface LeasedDelivery {
  id: string;
  tenantId: string;
  userId: string;
  subscriptionId: string | null;
  /** An A2A push notification config's delivery (sent with its headers, docs/a2a.md). */
  pushConfigId: string | null;
  taskId: string;
  seq: number;
  event: string;
  url: string;
  body: string;
  attempts: number;
  giveUpAt: Date;
  leaseToken: string;
  /** Where it was made due (a traceparent): its attempt continues the task's trace. */
  traceparent: string | null;
}

/** What an attempt leaves: delivered, pending again (retry at), or dead. */
export type AttemptOutcome =
  { status: 'delivered' } | { status: 'pending'; nextAttemptAt: Date } | { status: 'dead' };

export interface AttemptRecord {
  lastStatus?: number | undefined;
  lastReason?: Webhooks.WebhookFailureReason | undefined;
  lastMessage: string;
}

const iso = (d: Date) => d.toISOString();

/**
 * The deliveries' outbox and due list (WebhookDelivery). Every change of a row's status goes through
 * one conditional statement that names the state it leaves (WEBHOOK_DELIVERY's table), so two
 * replicas never move one delivery twice. Timestamps are UTC wall time, as Prisma writes them.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores, in ONE statement, a delivery per event and webhook that wants it (matchingInsert).
   * Returns how many deliveries were new.
   */
  async enqueueMatching(
    events: readonly EventToMatch[],
    giveUpAt: Date,
    now = new Date(),
  ): Promise<number> {
    if (events.length === 0) return 0;
    return this.prisma.$executeRaw`${matchingInsert(events, giveUpAt, now)}`;
  }

  /**
   * Claims up to `limit` due deliveries for this replica (`leased`): pending ones past their next
   * attempt, and sending ones whose lease ran out (their replica died mid-call). SKIP LOCKED: each by
   * one replica. The attempt is counted here, so a crash mid-call still counts it.
   */
  async claimDue(limit: number, leaseMs: number, leaseToken: string): Promise<LeasedDelivery[]> {
    if (limit <= 0) return [];
    const leaseUntil = new Date(Date.now() + leaseMs);
    return this.prisma.$queryRaw<LeasedDelivery[]>`
      UPDATE "WebhookDelivery"
      SET "status" = 'sending', "leaseToken" = ${leaseToken}::uuid,
          "leaseUntil" = ${iso(leaseUntil)}::timestamp(3), "attempts" = "attempts" + 1,
          "lastAttemptAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" IN (
        SELECT "id" FROM "WebhookDelivery"
        WHERE ("status" = 'pending' AND "nextAttemptAt" <= (now() AT TIME ZONE 'UTC'))
           OR ("status" = 'sending' AND "leaseUntil" < (now() AT TIME ZONE 'UTC'))
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING "id", "tenantId", "userId", "subscriptionId", "pushConfigId", "taskId", "seq", "event", "url",
                "body", "attempts", "giveUpAt", "leaseToken"::text AS "leaseToken", "traceparent"`;
  }

  /**
   * Records an attempt's outcome, if this replica still holds the lease (false: it ran out and
   * another replica took the delivery over, whose outcome counts).
   */
  async finish(
    id: string,
    leaseToken: string,
    o: AttemptOutcome,
    a: AttemptRecord,
  ): Promise<boolean> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { id, leaseToken, status: 'sending' },
      data: {
        status: o.status,
        leaseToken: null,
        leaseUntil: null,
        lastStatus: a.lastStatus ?? null,
        lastReason: o.status === 'delivered' ? null : (a.lastReason ?? null),
        lastMessage: a.lastMessage,
        ...(o.status === 'pending' ? { nextAttemptAt: o.nextAttemptAt } : {}),
        ...(o.status === 'delivered' ? { deliveredAt: new Date() } : {}),
        ...(o.status === 'dead' ? { deadAt: new Date() } : {}),
      },
    });
    return count === 1;
  }

  /** A delivery as `who` sees it (another tenant's or user's: undefined, as a missing one). */
  async get(id: string, who: Audience): Promise<Webhooks.WebhookDeliveryView | undefined> {
    const row = await this.prisma.webhookDelivery.findFirst({
      where: { id, ...audienceWhere(who) },
    });
    return row ? viewOf(row) : undefined;
  }

  /** The tenant a delivery is in, whoever asks (to audit a refusal). */
  async tenantOfDelivery(id: string): Promise<string | undefined> {
    const row = await this.prisma.webhookDelivery.findUnique({
      where: { id },
      select: { tenantId: true },
    });
    return row?.tenantId;
  }

  /** Deliveries `who` sees, newest first, with the next page's cursor. */
  async list(
    q: Webhooks.WebhookDeliveryListRequest,
    who: Audience,
  ): Promise<{ deliveries: Webhooks.WebhookDeliveryView[]; nextBefore?: string }> {
    const cursor = q.before
      ? await this.prisma.webhookDelivery.findUnique({
          where: { id: q.before },
          select: { createdAt: true, id: true },
        })
      : undefined;
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        ...audienceWhere(who),
        ...(q.status ? { status: q.status } : {}),
        ...(q.webhookId ? { subscriptionId: q.webhookId } : {}),
        ...(q.taskId ? { taskId: q.taskId } : {}),
        ...(cursor
          ? {
              OR: [
                { createdAt: { lt: cursor.createdAt } },
                { createdAt: cursor.createdAt, id: { lt: cursor.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    const page = rows.slice(0, q.limit).map(viewOf);
    const last = page.at(-1);
    return {
      deliveries: page,
      ...(rows.length > q.limit && last ? { nextBefore: last.deliveryId } : {}),
    };
  }

  /**
   * A dead delivery made pending again with a new retry window (`redelivered`), as that statement left
   * it; undefined: not dead. One statement: a row read after the update could already be another
   * replica's sender's (`sending`, or sent).
   */
  async redeliver(id: string, giveUpAt: Date): Promise<Webhooks.WebhookDeliveryView | undefined> {
    const [row] = await this.prisma.$queryRaw<WebhookDelivery[]>`
      UPDATE "WebhookDelivery"
      SET "status" = 'pending', "nextAttemptAt" = ${iso(new Date())}::timestamp(3),
          "giveUpAt" = ${iso(giveUpAt)}::timestamp(3), "deadAt" = NULL
      WHERE "id" = ${id}::uuid AND "status" = 'dead'
      RETURNING *`;
    return row ? viewOf(row) : undefined;
  }

  /** Cancels a deleted subscription's deliveries that have not gone out (`subscription-deleted`). */
  async cancelOfSubscription(subscriptionId: string): Promise<number> {
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { subscriptionId, status: 'pending' },
      data: { status: 'cancelled' },
    });
    return count;
  }

  /** Deletes what has been kept long enough: delivered and cancelled ones, and old dead letters. */
  async purge(retentionMs: number, deadRetentionMs: number, limit = 1_000): Promise<number> {
    const done = new Date(Date.now() - retentionMs);
    const dead = new Date(Date.now() - deadRetentionMs);
    return this.prisma.$executeRaw`
      DELETE FROM "WebhookDelivery" WHERE "id" IN (
        SELECT "id" FROM "WebhookDelivery"
        WHERE ("status" IN ('delivered', 'cancelled') AND "createdAt" < ${iso(done)}::timestamp(3))
           OR ("status" = 'dead' AND "deadAt" < ${iso(dead)}::timestamp(3))
        LIMIT ${limit})`;
  }

  /** Deliveries by status, platform-wide (the metrics' gauges). */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.prisma.webhookDelivery.groupBy({
      by: ['status'],
      where: { status: { in: ['pending', 'sending', 'dead'] } },
      _count: { _all: true },
    });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  }
}

function viewOf(r: WebhookDelivery): Webhooks.WebhookDeliveryView {
  const failed = r.status !== 'delivered' && r.lastReason;
  return {
    deliveryId: r.id,
    messageId: messageIdOf(r.id),
    tenantId: r.tenantId,
    userId: r.userId,
    ...(r.subscriptionId ? { webhookId: r.subscriptionId } : {}),
    ...(r.pushConfigId ? { a2aPush: true as const } : {}),
    taskId: r.taskId,
    seq: r.seq,
    event: r.event,
    url: r.url,
    status: r.status as Webhooks.WebhookDeliveryStatus,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
    ...(r.status === 'pending' ? { nextAttemptAt: r.nextAttemptAt.toISOString() } : {}),
    ...(r.lastAttemptAt ? { lastAttemptAt: r.lastAttemptAt.toISOString() } : {}),
    giveUpAt: r.giveUpAt.toISOString(),
    ...(r.deliveredAt ? { deliveredAt: r.deliveredAt.toISOString() } : {}),
    ...(r.deadAt ? { deadAt: r.deadAt.toISOString() } : {}),
    ...(failed
      ? {
          lastError: {
            reason: r.lastReason as Webhooks.WebhookFailureReason,
            ...(r.lastStatus !== null ? { status: r.lastStatus } : {}),
            message: r.lastMessage ?? '',
          },
        }
      : {}),
  };
}

/**
 * The statement (an INSERT, usable as a common table expression of a larger one: the task journal's)
 * that stores a delivery per event and webhook that wants it — the task's own (its request's
 * `webhook`, its submitter's) and each live subscription of the task's tenant that hears the task
 * (its submitter's, or a tenant-wide one) — keyed by `<webhook>:<taskId>:<seq>`, so an event
 * journaled twice is enqueued once. The task's tenant, owner and webhook are what its run gave, else
 * its row's (a row the same statement inserts is not visible to it: the run gives them); an event of
 * a task that names nobody calls for nothing. `gate`, the name of a common table expression of the
 * enclosing statement: nothing is stored unless it has a row (the transition moved the task).
 */
export function matchingInsert(
  events: readonly EventToMatch[],
  giveUpAt: Date,
  now: Date,
  gate?: string,
): Prisma.Sql {
  const rows = JSON.stringify(
    events.map((e) => ({
      ...e,
      tenantId: e.tenantId ?? null,
      userId: e.userId ?? null,
      webhook: e.webhook ?? null,
      traceparent: e.traceparent ?? null,
    })),
  );
  const gated = gate ? Prisma.raw(` WHERE EXISTS (SELECT 1 FROM "${gate}")`) : Prisma.empty;
  return Prisma.sql`
      WITH ev AS (
        SELECT * FROM json_to_recordset(${rows}::json) AS e(
          "taskId" uuid, seq int, name text, kinds text[], "tenantId" text, "userId" text,
          webhook jsonb, head text, tail text, traceparent text)${gated}
      ), owned AS (
        -- Each event's task looked up by its key (LIMIT 1 keeps the subquery from being flattened into
        -- a join): with a plain join the planner, which takes json_to_recordset for 100 rows, hashed
        -- the whole Task table in every statement that journals events, four a task, until the table
        -- held tens of thousands of rows (docs/benchmarks.md).
        SELECT ev.*, coalesce(ev."tenantId", t."tenantId") AS tenant,
               coalesce(ev."userId", t."userId") AS owner,
               coalesce(ev.webhook, t."request" -> 'webhook') AS hook
        FROM ev LEFT JOIN LATERAL (
          SELECT "id", "tenantId", "userId", "request" FROM "Task" WHERE "id" = ev."taskId" LIMIT 1
        ) t ON true
        WHERE t."id" IS NOT NULL OR (ev."tenantId" IS NOT NULL AND ev."userId" IS NOT NULL)
      ), listeners AS (
        SELECT o.*, 'sub:' || s."id"::text AS key, s."id" AS sub, s."userId" AS listener, s."url",
               s."events"
        FROM owned o JOIN "WebhookSubscription" s
          ON s."tenantId" = o.tenant AND s."deletedAt" IS NULL
         AND (s."scope" = 'tenant' OR s."userId" = o.owner)
        UNION ALL
        SELECT o.*, 'task', NULL::uuid, o.owner, o.hook ->> 'url',
               ARRAY(SELECT jsonb_array_elements_text(o.hook -> 'events'))
        FROM owned o
        WHERE jsonb_typeof(o.hook -> 'url') = 'string'
          AND jsonb_typeof(o.hook -> 'events') = 'array'
      )
      INSERT INTO "WebhookDelivery" ("id", "dedupeKey", "tenantId", "userId", "subscriptionId",
        "taskId", "seq", "event", "url", "body", "status", "nextAttemptAt", "giveUpAt", "createdAt",
        "traceparent")
      SELECT gen_random_uuid(), l.key || ':' || l."taskId"::text || ':' || l.seq, l.tenant,
             l.listener, l.sub, l."taskId", l.seq, l.name, l."url",
             l.head || ',"tenantId":' || to_json(l.tenant)::text
               || ',"userId":' || to_json(l.owner)::text
               || coalesce(',"webhookId":' || to_json(l.sub::text)::text, '') || l.tail,
             'pending', ${iso(now)}::timestamp(3), ${iso(giveUpAt)}::timestamp(3),
             ${iso(now)}::timestamp(3), l.traceparent
      FROM listeners l
      WHERE l."events" && l.kinds
      -- In key order: two statements storing the same events take their keys in the same order, so
      -- one waits for the other and skips what it stored instead of deadlocking with it.
      ORDER BY 2
      ON CONFLICT ("dedupeKey") DO NOTHING`;
}
