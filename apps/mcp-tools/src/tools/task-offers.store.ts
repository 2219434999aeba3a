import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** How often expired offers are deleted. */
const PURGE_EVERY_MS = 10 * 60_000;

/**
 * The tools each task was offered (the manifest the orchestrator asked for with that task id), so a
 * call made for the task can be refused when the model names a tool it was not offered, even one the
 * user could otherwise use (a tool added to the registry mid-task, a constraint the caller dropped).
 * They are authorization state, not a cache: kept in PostgreSQL for TASK_OFFER_TTL_SECONDS, so a Redis
 * outage (or a Redis that restarts empty) never refuses a running task's calls.
 */
@Injectable()
export class TaskOffers implements OnApplicationBootstrap, OnModuleDestroy {
  private purger: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(userId: string, taskId: string, tools: readonly string[]): Promise<void> {
    const expiresAt = new Date(Date.now() + this.config.TASK_OFFER_TTL_SECONDS * 1_000);
    // One statement on every manifest asked for a task (raw: half the CPU of Prisma's builder).
    await this.prisma.$executeRaw`
      INSERT INTO "TaskOffer" ("taskId", "userId", "tools", "expiresAt")
      VALUES (${taskId}::uuid, ${userId}, ${[...tools]}::text[], ${expiresAt.toISOString()}::timestamp(3))
      ON CONFLICT ("taskId", "userId")
      DO UPDATE SET "tools" = EXCLUDED."tools", "expiresAt" = EXCLUDED."expiresAt"`;
  }

  /** The names offered to the task, or undefined when no manifest was requested for it (or it expired). */
  async offered(userId: string, taskId: string): Promise<ReadonlySet<string> | undefined> {
    const rows = await this.prisma.$queryRaw<{ tools: string[] | null }[]>`
      SELECT "tools" FROM "TaskOffer"
      WHERE "taskId" = ${taskId}::uuid AND "userId" = ${userId}
        AND "expiresAt" > ${new Date().toISOString()}::timestamp(3)`;
    const row = rows[0];
    return row ? new Set(row.tools ?? []) : undefined;
  }

  onApplicationBootstrap(): void {
    this.purger = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.purger.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }

  private async purge(): Promise<void> {
    try {
      await this.prisma.$executeRaw`
        DELETE FROM "TaskOffer" WHERE "expiresAt" < ${new Date().toISOString()}::timestamp(3)`;
    } catch (e) {
      this.logger.warn({ err: e }, 'could not delete expired task offers');
    }
  }
}
