import { Injectable } from '@nestjs/common';
import type { Audit } from '@switchboard/contracts';
import { redactSecrets } from '@switchboard/observability';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { chainHash, GENESIS_HASH } from './audit-chain.js';

/** Serializes chain writers across replicas (transaction-scoped advisory lock). */
const CHAIN_LOCK = 0x5b_a0d1;

type Row = Prisma.AuditEntryGetPayload<object>;

const toEntry = (row: Row): Audit.AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  category: row.category as Audit.AuditCategory,
  action: row.action,
  outcome: row.outcome as Audit.AuditOutcome,
  source: row.source,
  actor: { ...(row.userId ? { userId: row.userId } : {}), ...(row.role ? { role: row.role } : {}) },
  ...(row.resource ? { resource: row.resource } : {}),
  ...(row.taskId ? { taskId: row.taskId } : {}),
  ...(row.traceId ? { traceId: row.traceId } : {}),
  ...(row.correlationId ? { correlationId: row.correlationId } : {}),
  details: row.details as Record<string, unknown>,
  seq: row.seq,
  prevHash: row.prevHash,
  hash: row.hash,
  recordedAt: row.recordedAt.toISOString(),
});

/** The append-only trail. Rows are only ever inserted; a record id is stored at most once. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Appends the records not stored yet (by id), chaining their hashes, in one transaction. Returns how
   * many were new; redelivered records are skipped, so a redelivery never doubles a row.
   */
  async append(records: Audit.AuditRecord[]): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
      const ids = [...new Set(records.map((r) => r.id))];
      const existing = await tx.auditEntry.findMany({
        where: { id: { in: ids } },
        select: { id: true },
      });
      const seen = new Set(existing.map((e) => e.id));
      const last = await tx.auditEntry.findFirst({
        orderBy: { seq: 'desc' },
        select: { hash: true },
      });
      let prevHash = last?.hash ?? GENESIS_HASH;
      const data: Prisma.AuditEntryCreateManyInput[] = [];
      for (const raw of records) {
        if (seen.has(raw.id)) continue;
        seen.add(raw.id);
        const record = { ...raw, details: redactSecrets(raw.details) };
        const hash = chainHash(prevHash, record);
        data.push({
          id: record.id,
          at: new Date(record.at),
          category: record.category,
          action: record.action,
          outcome: record.outcome,
          source: record.source,
          userId: record.actor.userId ?? null,
          role: record.actor.role ?? null,
          resource: record.resource ?? null,
          taskId: record.taskId ?? null,
          traceId: record.traceId ?? null,
          correlationId: record.correlationId ?? null,
          details: record.details as Prisma.InputJsonValue,
          prevHash,
          hash,
        });
        prevHash = hash;
      }
      if (data.length) await tx.auditEntry.createMany({ data });
      return data.length;
    });
  }

  async query(q: Audit.AuditQueryRequest): Promise<Audit.AuditQueryResponse> {
    const where: Prisma.AuditEntryWhereInput = {
      ...(q.userId ? { userId: q.userId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.taskId ? { taskId: q.taskId } : {}),
      ...(q.from || q.to
        ? {
            at: {
              ...(q.from ? { gte: new Date(q.from) } : {}),
              ...(q.to ? { lt: new Date(q.to) } : {}),
            },
          }
        : {}),
      ...(q.before ? { seq: { lt: q.before } } : {}),
    };
    const rows = await this.prisma.auditEntry.findMany({
      where,
      orderBy: { seq: 'desc' },
      take: q.limit + 1,
    });
    const page = rows.slice(0, q.limit).map(toEntry);
    const last = page[page.length - 1];
    return { entries: page, ...(rows.length > q.limit && last ? { nextBefore: last.seq } : {}) };
  }

  /** Recomputes the chain from the first row; reports the first row that does not match. */
  async verify(): Promise<Audit.AuditVerifyResponse> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let after = 0;
    for (;;) {
      const rows = await this.prisma.auditEntry.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: 1_000,
      });
      if (rows.length === 0) return { ok: true, checked };
      for (const row of rows) {
        const entry = toEntry(row);
        if (row.prevHash !== prevHash) {
          return {
            ok: false,
            checked,
            firstBrokenSeq: row.seq,
            reason: 'prevHash does not match the previous row',
          };
        }
        if (chainHash(prevHash, entry) !== row.hash) {
          return {
            ok: false,
            checked,
            firstBrokenSeq: row.seq,
            reason: 'row content does not match its hash',
          };
        }
        prevHash = row.hash;
        checked++;
        after = row.seq;
      }
    }
  }
}
