import { Injectable } from '@nestjs/common';
import type { Audit } from '@switchboard/contracts';
import { PrismaService } from '../../../prisma/prisma.service.js';

/**
 * Sends records (each with the trace it was owed in) to the audit service; resolves once it answered
 * (they are chained).
 */
export type AuditSend = (
  batch: { records: Audit.AuditRecordInput[]; traceparent?: string | undefined }[],
) => Promise<void>;

/** An audit record still owed, with its JournalOutbox row's id and where it was owed. */
type OwedRecord = { id: string; payload: Audit.AuditRecordInput; traceparent: string | null };

/**
 * The audit records in JournalOutbox (kind `audit`): stored by the statements of task transitions
 * (TaskJournalRepository.writes), marked relayed once the audit service chained them. Timestamps are
 * the database's local ones, as the column's default writes them.
 */
@Injectable()
export class AuditOutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Marks rows relayed (one statement for all of them). */
  async markRelayed(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.prisma.$executeRaw`
      UPDATE "JournalOutbox" SET "relayedAt" = LOCALTIMESTAMP
      WHERE "id" = ANY(${[...ids]}::bigint[]) AND "relayedAt" IS NULL`;
  }

  /** The records still owed for one task, oldest first, with their rows' ids. */
  async owedOf(taskId: string): Promise<OwedRecord[]> {
    return this.prisma.$queryRaw<OwedRecord[]>`
      SELECT "id"::text AS "id", "payload", "traceparent" FROM "JournalOutbox"
      WHERE "taskId" = ${taskId}::uuid AND "kind" = 'audit' AND "relayedAt" IS NULL
      ORDER BY "createdAt", "id"`;
  }

  /**
   * Takes up to `limit` records still owed, older than `olderThanMs`, oldest first, locked for this
   * transaction (SKIP LOCKED: another replica's sweep takes others), hands them to `send` and marks
   * them relayed when it resolved; how many it took. If `send` throws, nothing is marked.
   */
  async relayOwed(
    olderThanMs: number,
    limit: number,
    send: AuditSend,
    timeoutMs: number,
  ): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<OwedRecord[]>`
          SELECT "id"::text AS "id", "payload", "traceparent" FROM "JournalOutbox"
          WHERE "relayedAt" IS NULL AND "kind" = 'audit'
            AND "createdAt" < LOCALTIMESTAMP - make_interval(secs => ${olderThanMs / 1000}::double precision)
          ORDER BY "createdAt", "id" LIMIT ${limit}::int
          FOR UPDATE SKIP LOCKED`;
        if (!rows.length) return 0;
        await send(
          rows.map((r) => ({ records: [r.payload], traceparent: r.traceparent ?? undefined })),
        );
        await tx.$executeRaw`
          UPDATE "JournalOutbox" SET "relayedAt" = LOCALTIMESTAMP
          WHERE "id" = ANY(${rows.map((r) => r.id)}::bigint[])`;
        return rows.length;
      },
      { timeout: timeoutMs, maxWait: timeoutMs },
    );
  }

  /** Deletes audit rows relayed more than `keepMs` ago; how many. */
  async forgetRelayed(keepMs: number, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "JournalOutbox" WHERE "id" IN (
        SELECT "id" FROM "JournalOutbox"
        WHERE "kind" = 'audit' AND "relayedAt" IS NOT NULL
          AND "relayedAt" < LOCALTIMESTAMP - make_interval(secs => ${keepMs / 1000}::double precision)
        LIMIT ${limit}::int)`;
  }
}
