import { Injectable } from '@nestjs/common';
import { Webhooks } from '@switchboard/contracts';
import { LRUCache } from 'lru-cache';
import { PrismaService } from '../../prisma/prisma.service.js';

/** What deliveries need of a task: whose it is, and the webhook its request named. */
export interface WebhookTask {
  tenantId: string;
  userId: string;
  webhook?: Webhooks.TaskWebhook | undefined;
}

/** Tasks remembered (what is read of a task never changes once its row exists). */
const CACHED_TASKS = 10_000;

/**
 * The owner and the request's webhook of the tasks whose events are being matched, read from their
 * rows (one statement per batch of events) and remembered: a task's events come in many batches, and
 * its owner and webhook never change.
 */
@Injectable()
export class WebhookTaskDirectory {
  private readonly cache = new LRUCache<string, WebhookTask>({ max: CACHED_TASKS });

  constructor(private readonly prisma: PrismaService) {}

  /** The tasks that have a row, by id (a task without one is not in the map). */
  async of(taskIds: readonly string[]): Promise<Map<string, WebhookTask>> {
    const found = new Map<string, WebhookTask>();
    const missing: string[] = [];
    for (const id of new Set(taskIds)) {
      const hit = this.cache.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = await this.prisma.task.findMany({
      where: { id: { in: missing } },
      select: { id: true, tenantId: true, userId: true, request: true },
    });
    for (const row of rows) {
      const webhook = Webhooks.TaskWebhook.safeParse(
        (row.request as { webhook?: unknown } | null)?.webhook,
      );
      const task: WebhookTask = {
        tenantId: row.tenantId,
        userId: row.userId,
        ...(webhook.success ? { webhook: webhook.data } : {}),
      };
      this.cache.set(row.id, task);
      found.set(row.id, task);
    }
    return found;
  }
}
