import { Injectable } from '@nestjs/common';
import type { Webhooks } from '@switchboard/contracts';
import type { WebhookDelivery } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type TenantScope, tenantWhere } from '../../tenancy/tenant-scope.js';
import { messageIdOf } from '../signing/webhook-signature.js';

/** A delivery to store: one task event for one webhook. */
export interface NewDelivery {
  id: string;
  /** `<webhook>:<taskId>:<seq>`: the same event for the same webhook is stored once. */
  dedupeKey: string;
  tenantId: string;
  userId: string;
  subscriptionId?: string | undefined;
  taskId: string;
  seq: number;
  event: string;
  url: string;
  body: string;
  giveUpAt: Date;
}

/** A delivery this replica holds the lease of, to send now. */
export interface LeasedDelivery {
  id: string;
  tenantId: string;
  userId: string;
  subscriptionId: string | null;
  taskId: string;
  seq: number;
  event: string;
  url: string;
  body: string;
  attempts: number;
  giveUpAt: Date;
  leaseToken: string;
}

/** What an attempt leaves: delivered, pending again (retry at), or dead. */
export type AttemptOutcome =
  { status: 'delivered' } | { status: 'pending'; nextAttemptAt: Date } | { status: 'dead' };

export interface AttemptRecord {
  lastStatus?: number | undefined;
  lastReason?: Webhooks.WebhookFailureReason | undefined;
  lastMessage: string;
}

/** Who may see which deliveries: a tenant scope, and one user's own when `userId` is set. */
export interface DeliveryAudience {
  scope: TenantScope;
  userId?: string | undefined;
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

  /** Stores the deliveries not stored yet (by dedupeKey); how many were new. */
  async enqueue(rows: readonly NewDelivery[], now = new Date()): Promise<number> {
    if (rows.length === 0) return 0;
    const { count } = await this.prisma.webhookDelivery.createMany({
      data: rows.map((r) => ({
        ...r,
        subscriptionId: r.subscriptionId ?? null,
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })),
      skipDuplicates: true,
    });
    return count;
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
      RETURNING "id", "tenantId", "userId", "subscriptionId", "taskId", "seq", "event", "url",
                "body", "attempts", "giveUpAt", "leaseToken"::text AS "leaseToken"`;
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
  async get(id: string, who: DeliveryAudience): Promise<Webhooks.WebhookDeliveryView | undefined> {
    const row = await this.prisma.webhookDelivery.findFirst({ where: { id, ...audience(who) } });
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
    who: DeliveryAudience,
  ): Promise<{ deliveries: Webhooks.WebhookDeliveryView[]; nextBefore?: string }> {
    const cursor = q.before
      ? await this.prisma.webhookDelivery.findUnique({
          where: { id: q.before },
          select: { createdAt: true, id: true },
        })
      : undefined;
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        ...audience(who),
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

  /** A dead delivery made pending again with a new retry window (`redelivered`); undefined: not dead. */
  async redeliver(id: string, giveUpAt: Date): Promise<Webhooks.WebhookDeliveryView | undefined> {
    const now = new Date();
    const { count } = await this.prisma.webhookDelivery.updateMany({
      where: { id, status: 'dead' },
      data: { status: 'pending', nextAttemptAt: now, giveUpAt, deadAt: null },
    });
    if (count === 0) return undefined;
    const row = await this.prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
    return viewOf(row);
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

function audience(who: DeliveryAudience): { tenantId?: string; userId?: string } {
  return { ...tenantWhere(who.scope), ...(who.userId ? { userId: who.userId } : {}) };
}

function viewOf(r: WebhookDelivery): Webhooks.WebhookDeliveryView {
  const failed = r.status !== 'delivered' && r.lastReason;
  return {
    deliveryId: r.id,
    messageId: messageIdOf(r.id),
    tenantId: r.tenantId,
    userId: r.userId,
    ...(r.subscriptionId ? { webhookId: r.subscriptionId } : {}),
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
