import { Injectable } from '@nestjs/common';
import { Webhooks } from '@switchboard/contracts';
import type { WebhookSubscription } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { audienceWhere, type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';

/** A new subscription, as stored. */
export interface NewSubscription {
  id: string;
  tenantId: string;
  userId: string;
  url: string;
  events: Webhooks.WebhookEventKind[];
  scope: Webhooks.WebhookScope;
  description?: string | undefined;
  secret: string;
}

/** A signing secret as stored: the current one and, during a rotation's grace, the one before. */
export interface StoredSecret {
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** The secrets that sign now: the current one first, the previous one while its grace lasts. */
export function signingSecrets(s: StoredSecret, now = new Date()): string[] {
  const previous =
    s.previousSecret && s.previousSecretUntil && s.previousSecretUntil > now
      ? [s.previousSecret]
      : [];
  return [s.secret, ...previous];
}

/**
 * Webhook subscriptions and users' task-webhook secrets, each in its tenant. Prisma types stay here;
 * reads for someone take their TenantScope. A deleted subscription keeps its row (its deliveries name
 * it) and is found by nothing but `tenantOf`.
 */
@Injectable()
export class WebhookRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(s: NewSubscription): Promise<Webhooks.WebhookView> {
    const row = await this.prisma.webhookSubscription.create({
      data: { ...s, description: s.description ?? null },
    });
    return viewOf(row);
  }

  /** Live subscriptions in `scope`, newest first; only `userId`'s when given. */
  async list(scope: TenantScope, userId: string | undefined, take: number) {
    const rows = await this.prisma.webhookSubscription.findMany({
      where: { ...audienceWhere({ scope, userId }), deletedAt: null },
      orderBy: { createdAt: 'desc' },
      take,
    });
    return rows.map(viewOf);
  }

  /** A live subscription as `scope` sees it (another tenant's: undefined, as a missing one). */
  async get(id: string, scope: TenantScope): Promise<Webhooks.WebhookView | undefined> {
    const row = await this.prisma.webhookSubscription.findFirst({
      where: { id, ...tenantWhere(scope), deletedAt: null },
    });
    return row ? viewOf(row) : undefined;
  }

  /** The tenant a live subscription is in, whoever asks (to audit a refusal; undefined: none). */
  async tenantOf(id: string): Promise<string | undefined> {
    const row = await this.prisma.webhookSubscription.findFirst({
      where: { id, deletedAt: null },
      select: { tenantId: true },
    });
    return row?.tenantId;
  }

  /** Marks it deleted; false when it was deleted already (someone was first). */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.webhookSubscription.updateMany({
      where: { id, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    return count === 1;
  }

  /** A subscription's secrets (deleted ones too: a dead letter may be redelivered meanwhile). */
  subscriptionSecret(id: string): Promise<StoredSecret | null> {
    return this.prisma.webhookSubscription.findUnique({
      where: { id },
      select: { secret: true, previousSecret: true, previousSecretUntil: true },
    });
  }

  /** The user's task-webhook secret, made now (`fresh`) when they have none yet. */
  async userSecret(tenantId: string, userId: string, fresh: string): Promise<StoredSecret> {
    const where = { tenantId_userId: { tenantId, userId } };
    const found = await this.prisma.webhookUserSecret.findUnique({ where });
    if (found) return found;
    await this.prisma.webhookUserSecret.createMany({
      data: [{ tenantId, userId, secret: fresh }],
      skipDuplicates: true,
    });
    return this.prisma.webhookUserSecret.findUniqueOrThrow({ where });
  }

  /**
   * Replaces a subscription's secret in one statement (two rotations at once leave one of the new
   * secrets, the other as the previous one); the current one signs too until `graceUntil`.
   */
  async rotateSubscriptionSecret(id: string, fresh: string, graceUntil: Date): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "WebhookSubscription"
      SET "previousSecret" = "secret", "secret" = ${fresh},
          "previousSecretUntil" = ${graceUntil.toISOString()}::timestamp(3),
          "secretRotatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" = ${id}::uuid AND "deletedAt" IS NULL`;
  }

  /** Replaces a user's task-webhook secret, as rotateSubscriptionSecret (made if they had none). */
  async rotateUserSecret(
    tenantId: string,
    userId: string,
    fresh: string,
    graceUntil: Date,
  ): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO "WebhookUserSecret" ("tenantId", "userId", "secret", "createdAt")
      VALUES (${tenantId}, ${userId}, ${fresh}, (now() AT TIME ZONE 'UTC'))
      ON CONFLICT ("tenantId", "userId") DO UPDATE
      SET "previousSecret" = "WebhookUserSecret"."secret", "secret" = EXCLUDED."secret",
          "previousSecretUntil" = ${graceUntil.toISOString()}::timestamp(3),
          "secretRotatedAt" = (now() AT TIME ZONE 'UTC')`;
  }
}

function viewOf(r: WebhookSubscription): Webhooks.WebhookView {
  return {
    webhookId: r.id,
    tenantId: r.tenantId,
    userId: r.userId,
    url: r.url,
    events: r.events as Webhooks.WebhookEventKind[],
    scope: r.scope as Webhooks.WebhookScope,
    ...(r.description ? { description: r.description } : {}),
    createdAt: r.createdAt.toISOString(),
    ...(r.secretRotatedAt ? { secretRotatedAt: r.secretRotatedAt.toISOString() } : {}),
  };
}
