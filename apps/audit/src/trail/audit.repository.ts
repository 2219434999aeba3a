import { Injectable } from '@nestjs/common';
import { type Audit, scrubJson } from '@switchboard/contracts';
import { redactSecrets } from '@switchboard/observability';
import { sqlStateOf } from '@switchboard/messaging';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { chainHash, GENESIS_HASH } from './audit-chain.js';

/** Serializes chain writers across replicas (transaction-scoped advisory lock). */
const CHAIN_LOCK = 0x5b_a0d1;

type Row = Prisma.AuditEntryGetPayload<object>;

const UNIQUE_VIOLATION = '23505';

/** What can run a raw statement: the client, or a transaction of it. */
type RawClient = Pick<PrismaService, '$executeRaw'>;

interface ChainedRow {
  record: Audit.AuditRecord;
  prevHash: string;
  hash: string;
}

/** The first record of each id (a batch may hold a redelivered record twice). */
function uniqueById(records: Audit.AuditRecord[]): Audit.AuditRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.id) && !!seen.add(r.id));
}

/**
 * The records as rows chained from `head`. Secrets are redacted and characters PostgreSQL refuses
 * (NUL) scrubbed before hashing, so the chain verifies against what is stored.
 */
function chainFrom(head: string, records: Audit.AuditRecord[]): ChainedRow[] {
  let prevHash = head;
  return records.map((raw) => {
    const record = scrubJson({ ...raw, details: redactSecrets(raw.details) });
    const hash = chainHash(prevHash, record);
    const row = { record, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

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

  /** Hash of the last row this replica stored or read: where its next batch chains from. */
  private head: string | undefined;

  /**
   * Appends the records not stored yet (by id), chaining their hashes, atomically. Returns how many
   * were new; redelivered records are skipped, so a redelivery never doubles a row.
   *
   * The usual batch is one INSERT chained from the head this replica last wrote. A unique violation
   * means that guess was wrong — another replica appended (two rows cannot share a `prevHash`), or a
   * record was stored before (a redelivery) — and the batch takes the careful path: under the chain
   * lock, read the real head and the ids already stored, then insert.
   */
  async append(records: Audit.AuditRecord[]): Promise<number> {
    const batch = uniqueById(records);
    if (this.head !== undefined) {
      const rows = chainFrom(this.head, batch);
      try {
        await this.insert(this.prisma, rows);
        this.head = rows.at(-1)?.hash ?? this.head;
        return rows.length;
      } catch (e) {
        if (sqlStateOf(e) !== UNIQUE_VIOLATION) throw e;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendLocked(batch);
      } catch (e) {
        // A concurrent optimistic insert claimed the same head between our read and our insert.
        if (sqlStateOf(e) !== UNIQUE_VIOLATION || attempt >= 3) throw e;
      }
    }
  }

  private async appendLocked(batch: Audit.AuditRecord[]): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
      const [state] = await tx.$queryRaw<{ head: string | null; existing: string[] }[]>`
        SELECT (SELECT "hash" FROM "AuditEntry" ORDER BY "seq" DESC LIMIT 1) AS "head",
               ARRAY(SELECT "id"::text FROM "AuditEntry"
                     WHERE "id" = ANY(${batch.map((r) => r.id)}::uuid[])) AS "existing"`;
      const seen = new Set(state?.existing ?? []);
      const rows = chainFrom(
        state?.head ?? GENESIS_HASH,
        batch.filter((r) => !seen.has(r.id)),
      );
      await this.insert(tx, rows);
      this.head = rows.at(-1)?.hash ?? state?.head ?? GENESIS_HASH;
      return rows.length;
    });
  }

  /** One multi-row INSERT (rows get their `seq` in chain order). */
  private async insert(db: RawClient, rows: ChainedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const recordedAt = new Date().toISOString();
    const values = rows.map(
      ({ record: r, prevHash, hash }) => Prisma.sql`(
        ${r.id}::uuid, ${new Date(r.at).toISOString()}::timestamp(3), ${r.category}, ${r.action},
        ${r.outcome}, ${r.source}, ${r.actor.userId ?? null}, ${r.actor.role ?? null},
        ${r.resource ?? null}, ${r.taskId ?? null}::uuid, ${r.traceId ?? null},
        ${r.correlationId ?? null}, ${JSON.stringify(r.details)}::jsonb, ${prevHash}, ${hash},
        ${recordedAt}::timestamp(3))`,
    );
    await db.$executeRaw`
      INSERT INTO "AuditEntry" ("id", "at", "category", "action", "outcome", "source", "userId",
        "role", "resource", "taskId", "traceId", "correlationId", "details", "prevHash", "hash",
        "recordedAt")
      VALUES ${Prisma.join(values)}`;
  }

  async query(q: Audit.AuditQueryRequest): Promise<Audit.AuditQueryResponse> {
    const where: Prisma.AuditEntryWhereInput = {
      ...(q.userId ? { userId: q.userId } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.category ? { category: q.category } : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
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
