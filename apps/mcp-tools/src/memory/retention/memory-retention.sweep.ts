import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, TENANTS, type TenantDirectory } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { drainBatches, PeriodicJob } from '@switchboard/runtime';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { anyRetention, type RetentionRule, retentionRules } from './retention-rules.js';

type Settings = Pick<McpToolsEnv, 'MEMORY_RETENTION_DAYS' | 'MEMORY_RETENTION_SWEEP_MS'>;

/** Rows one statement deletes: a sweep after a long pause does not hold one huge transaction. */
const BATCH = 5_000;

/**
 * Long-term memory's retention (docs/memory.md): items not written for as many days as their rule
 * says — the platform's MEMORY_RETENTION_DAYS, or a tenant's own, by namespace kind or namespace
 * (TENANTS_FILE, retention-rules.ts) — are deleted, with their search entries and vectors (columns
 * of the row), by a sweep on every replica. Replicas sweeping at once delete disjoint or
 * already-deleted rows: harmless. Off when no rule deletes anything.
 */
@Injectable()
export class MemoryRetentionSweep implements OnModuleInit, OnApplicationShutdown {
  private readonly job: PeriodicJob;
  private readonly rules: RetentionRule[];

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TENANTS) tenants: TenantDirectory,
  ) {
    this.rules = retentionRules(settings.MEMORY_RETENTION_DAYS, tenants);
    this.job = new PeriodicJob(
      settings.MEMORY_RETENTION_SWEEP_MS,
      () => this.sweep(),
      (e) => this.logger.warn({ err: e }, 'memory retention sweep failed; retried at the next one'),
    );
  }

  onModuleInit(): void {
    if (anyRetention(this.rules)) this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Deletes what is due, a batch at a time; returns how many items it deleted. */
  async sweep(): Promise<number> {
    let total = 0;
    await drainBatches(async () => {
      const deleted = await this.deleteBatch();
      total += deleted;
      return deleted;
    }, BATCH);
    if (total)
      this.logger.info(
        { deleted: total, days: this.settings.MEMORY_RETENTION_DAYS, rules: this.rules.length },
        'memory retention: items deleted',
      );
    return total;
  }

  /**
   * One batch: each item's rule is the most specific that matches it (a rule of 0 days keeps it,
   * even where a less specific one would delete it); an item is due when it was last written
   * longer ago than that.
   */
  private deleteBatch(): Promise<number> {
    const r = this.rules;
    return this.prisma.$executeRaw`
      DELETE FROM "MemoryItem" WHERE "id" IN (
        SELECT m."id" FROM "MemoryItem" m
        CROSS JOIN LATERAL (
          SELECT rule."days" FROM unnest(
            ${r.map((x) => x.tenant)}::text[], ${r.map((x) => x.kind)}::text[],
            ${r.map((x) => x.key)}::text[], ${r.map((x) => x.days)}::int[],
            ${r.map((x) => x.specificity)}::int[]
          ) AS rule("tenant", "kind", "key", "days", "specificity")
          WHERE (rule."tenant" IS NULL OR rule."tenant" = m."tenantId")
            AND (rule."kind" IS NULL OR rule."kind" = m."namespaceKind")
            AND (rule."key" IS NULL OR rule."key" = m."namespaceKey")
          ORDER BY rule."specificity" DESC LIMIT 1
        ) AS due
        WHERE due."days" > 0
          AND m."updatedAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => due."days")
        LIMIT ${BATCH})`;
  }
}
