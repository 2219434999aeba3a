import { Injectable } from '@nestjs/common';
import { DomainError, Webhooks } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type A2aPushConfig, Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';
import type { PushHeaders, PushHeadersSource } from '../webhooks/delivery/push-headers.port.js';

/** The task a config is set on, as far as the access rule needs it. */
export interface PushTask {
  taskId: string;
  tenantId: string;
  userId: string;
}

/** A task event's A2A notification to store for each live config of its task that hears it. */
export interface PushToEnqueue {
  taskId: string;
  seq: number;
  name: string;
  /** The 1.0 and 0.3 bodies, with CONTEXT_MARKER where the task's thread goes. */
  v1: string;
  v03: string;
  /** Where the event was journaled (a traceparent): the notification continues that trace. */
  traceparent?: string | undefined;
}

const iso = (d: Date) => d.toISOString();

/**
 * The A2A push notification configs (A2aPushConfig) and the deliveries they call for, which are
 * webhook deliveries (WebhookDelivery, `pushConfigId` set): the same due list, lease, retries,
 * signature and dead letters as every webhook's.
 */
@Injectable()
export class A2aPushConfigRepository implements PushHeadersSource {
  constructor(private readonly prisma: PrismaService) {}

  /** The task, if it exists in `scope` (its owner and tenant decide who may touch its configs). */
  async task(taskId: string, scope: TenantScope): Promise<PushTask | undefined> {
    const row = await this.prisma.task.findFirst({
      where: { id: taskId, ...tenantWhere(scope) },
      select: { id: true, tenantId: true, userId: true },
    });
    return row ? { taskId: row.id, tenantId: row.tenantId, userId: row.userId } : undefined;
  }

  /**
   * Stores a config: replaces the live one with the same id, else adds one unless the task holds
   * A2A_PUSH_CONFIGS_PER_TASK already (CONFLICT). In one transaction, the task's configs locked.
   */
  async set(
    task: PushTask,
    req: Webhooks.A2aPushConfigSetRequest,
  ): Promise<Webhooks.A2aPushConfigView> {
    const configId = req.configId ?? randomUUID();
    const data = {
      url: req.url,
      token: req.token ?? null,
      authScheme: req.authentication?.scheme ?? null,
      authCredentials: req.authentication?.credentials ?? null,
      wireVersion: req.wireVersion,
    };
    const row = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${task.taskId}))`;
      const live = await tx.a2aPushConfig.findMany({
        where: { taskId: task.taskId, deletedAt: null },
        select: { id: true, configId: true },
      });
      const same = live.find((c) => c.configId === configId);
      if (same) return tx.a2aPushConfig.update({ where: { id: same.id }, data });
      if (live.length >= Webhooks.A2A_PUSH_CONFIGS_PER_TASK)
        throw new DomainError(
          'CONFLICT',
          `task ${task.taskId} has ${live.length} push notification configs, the most a task may have: delete one first`,
        );
      return tx.a2aPushConfig.create({
        data: {
          id: randomUUID(),
          taskId: task.taskId,
          configId,
          tenantId: task.tenantId,
          userId: task.userId,
          ...data,
        },
      });
    });
    return viewOf(row);
  }

  async get(taskId: string, configId: string): Promise<Webhooks.A2aPushConfigView | undefined> {
    const row = await this.prisma.a2aPushConfig.findFirst({
      where: { taskId, configId, deletedAt: null },
    });
    return row ? viewOf(row) : undefined;
  }

  /** A task's live configs by id, from after `after`, with the next page's start. */
  async list(
    taskId: string,
    limit: number,
    after?: string,
  ): Promise<{ configs: Webhooks.A2aPushConfigView[]; nextAfter?: string }> {
    const rows = await this.prisma.a2aPushConfig.findMany({
      where: { taskId, deletedAt: null, ...(after ? { configId: { gt: after } } : {}) },
      orderBy: { configId: 'asc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit).map(viewOf);
    const last = page.at(-1);
    return { configs: page, ...(rows.length > limit && last ? { nextAfter: last.configId } : {}) };
  }

  /** Deletes a live config and cancels its deliveries not sent yet; undefined: there was none. */
  async delete(taskId: string, configId: string): Promise<number | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.a2aPushConfig.findFirst({
        where: { taskId, configId, deletedAt: null },
        select: { id: true },
      });
      if (!row) return undefined;
      await tx.a2aPushConfig.update({ where: { id: row.id }, data: { deletedAt: new Date() } });
      const { count } = await tx.webhookDelivery.updateMany({
        where: { pushConfigId: row.id, status: 'pending' },
        data: { status: 'cancelled' },
      });
      return count;
    });
  }

  /** The headers a config's deliveries carry; undefined when it has been deleted since. */
  async headersOf(pushConfigId: string): Promise<PushHeaders | undefined> {
    const row = await this.prisma.a2aPushConfig.findFirst({
      where: { id: pushConfigId, deletedAt: null },
      select: { token: true, authScheme: true, authCredentials: true, wireVersion: true },
    });
    if (!row) return undefined;
    return {
      token: row.token ?? undefined,
      authorization: row.authScheme
        ? `${row.authScheme}${row.authCredentials ? ` ${row.authCredentials}` : ''}`
        : undefined,
      wireVersion: Webhooks.A2aPushWireVersion.parse(row.wireVersion),
    };
  }

  /**
   * Stores, in ONE statement, a delivery per event and live config of its task, with the body of
   * the config's wire version and the task's thread as contextId, keyed by config and event
   * (`a2a:<config>:<taskId>:<seq>`) so an event consumed twice is stored once. A batch whose tasks
   * have no config stores nothing (the statement reads the configs by task, an index).
   */
  async enqueue(
    pushes: readonly PushToEnqueue[],
    marker: string,
    giveUpAt: Date,
    now = new Date(),
  ): Promise<number> {
    if (pushes.length === 0) return 0;
    return this.prisma.$executeRaw`${enqueueStatement(pushes, marker, giveUpAt, now)}`;
  }
}

/**
 * The INSERT of `enqueue`, RETURNING a row per new delivery, for the task journal's statement too
 * (EnqueuePushNotificationsUseCase as a journal-delivery sink); with `gate` (an expression of that
 * statement) it stores nothing unless the gate has a row. The task's row is read as the statement
 * found it: the events that notify (an approval requested, the end) come after its claim.
 */
export function enqueueStatement(
  pushes: readonly PushToEnqueue[],
  marker: string,
  giveUpAt: Date,
  now: Date,
  gate?: string,
): Prisma.Sql {
  const gated = gate ? Prisma.raw(`WHERE EXISTS (SELECT 1 FROM "${gate}")`) : Prisma.empty;
  return Prisma.sql`
      INSERT INTO "WebhookDelivery" ("id", "dedupeKey", "tenantId", "userId", "pushConfigId",
        "taskId", "seq", "event", "url", "body", "status", "nextAttemptAt", "giveUpAt", "createdAt",
        "traceparent")
      SELECT gen_random_uuid(), 'a2a:' || c."id"::text || ':' || ev."taskId"::text || ':' || ev.seq,
             c."tenantId", c."userId", c."id", ev."taskId", ev.seq, ev.name, c."url",
             replace(CASE WHEN c."wireVersion" = '0.3' THEN ev.v03 ELSE ev.v1 END, ${marker},
                     to_json(coalesce(t."threadId", ''))::text),
             'pending', ${iso(now)}::timestamp(3), ${iso(giveUpAt)}::timestamp(3),
             ${iso(now)}::timestamp(3), ev.traceparent
      FROM json_to_recordset(${JSON.stringify(pushes)}::json) AS ev(
        "taskId" uuid, seq int, name text, v1 text, v03 text, traceparent text)
      JOIN "A2aPushConfig" c ON c."taskId" = ev."taskId" AND c."deletedAt" IS NULL
      -- The task's row names the config's tenant and owner: a config set while its task was being
      -- submitted (no row yet) notifies only if the task is the one who set it.
      JOIN "Task" t ON t."id" = ev."taskId" AND t."tenantId" = c."tenantId" AND t."userId" = c."userId"
      ${gated}
      ORDER BY 2
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING 1`;
}

function viewOf(r: A2aPushConfig): Webhooks.A2aPushConfigView {
  return {
    taskId: r.taskId,
    configId: r.configId,
    url: r.url,
    ...(r.token ? { token: r.token } : {}),
    ...(r.authScheme ? { authentication: { scheme: r.authScheme } } : {}),
    wireVersion: Webhooks.A2aPushWireVersion.parse(r.wireVersion),
    createdAt: r.createdAt.toISOString(),
  };
}
