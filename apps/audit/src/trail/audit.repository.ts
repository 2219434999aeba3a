import { Injectable } from '@nestjs/common';
import { type Audit, DEFAULT_TENANT, scrubJson } from '@switchboard/contracts';
import { redactSecrets } from '@switchboard/observability';
import { sqlStateOf } from '@switchboard/messaging';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { chainHash, type ChainRow, GENESIS_HASH, HASH_VERSION } from './audit-chain.js';
import { type ChainBreak, TenantCheck, TrailCheck } from './trail.check.js';

/** Serializes chain writers across replicas (transaction-scoped advisory lock). */
const CHAIN_LOCK = 0x5b_a0d1;

type Row = Prisma.AuditEntryGetPayload<object>;

const UNIQUE_VIOLATION = '23505';

/** Tenant heads a replica keeps; one it forgot is read again under the chain lock. */
const TENANT_HEADS_CACHED = 10_000;

/** Rows read per page when verifying. */
const VERIFY_PAGE = 1_000;

/** What can run a raw statement: the client, or a transaction of it. */
type RawClient = Pick<PrismaService, '$executeRaw'>;

/** The last row of a tenant's chain (seq 0 and GENESIS_HASH before its first). */
interface TenantHead {
  seq: number;
  hash: string;
}

const NO_ROWS: TenantHead = { seq: 0, hash: GENESIS_HASH };

interface ChainedRow {
  record: Audit.AuditRecord;
  tenantId: string;
  prevHash: string;
  tenantSeq: number;
  tenantPrevHash: string;
  hash: string;
}

/** Which rows a query or a verification covers: every tenant's, or one tenant's. */
export type TenantScope = { tenantId: string } | 'all';

const tenantOfRecord = (r: Audit.AuditRecord): string => r.tenantId ?? DEFAULT_TENANT;

/** The first record of each id (a batch may hold a redelivered record twice). */
function uniqueById(records: Audit.AuditRecord[]): Audit.AuditRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.id) && !!seen.add(r.id));
}

/**
 * The records as rows chained from `head` in the trail and from `tenantHeads` in their tenants (which
 * it advances). Secrets are redacted and characters PostgreSQL refuses (NUL) scrubbed before hashing,
 * so the chain verifies against what is stored.
 */
function chainFrom(
  head: string,
  tenantHeads: Map<string, TenantHead>,
  records: Audit.AuditRecord[],
): ChainedRow[] {
  let prevHash = head;
  return records.map((raw) => {
    const record = scrubJson({ ...raw, details: redactSecrets(raw.details) });
    const tenantId = tenantOfRecord(record);
    const tenantHead = tenantHeads.get(tenantId) ?? NO_ROWS;
    const link = { tenantId, tenantSeq: tenantHead.seq + 1, tenantPrevHash: tenantHead.hash };
    const hash = chainHash(prevHash, record, link);
    tenantHeads.set(tenantId, { seq: link.tenantSeq, hash });
    const row = { record, prevHash, hash, ...link };
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
  tenantId: row.tenantId,
  ...(row.taskId ? { taskId: row.taskId } : {}),
  ...(row.traceId ? { traceId: row.traceId } : {}),
  ...(row.correlationId ? { correlationId: row.correlationId } : {}),
  details: row.details as Record<string, unknown>,
  seq: row.seq,
  prevHash: row.prevHash,
  tenantSeq: row.tenantSeq,
  tenantPrevHash: row.tenantPrevHash,
  hashVersion: row.hashVersion as Audit.AuditHashVersion,
  hash: row.hash,
  recordedAt: row.recordedAt.toISOString(),
});

/** A stored row as the chain checks see it (the record as it was hashed). */
const toChainRow = (row: Row): ChainRow => ({
  seq: row.seq,
  prevHash: row.prevHash,
  hash: row.hash,
  hashVersion: row.hashVersion,
  tenantId: row.tenantId,
  tenantSeq: row.tenantSeq,
  tenantPrevHash: row.tenantPrevHash,
  record: toEntry(row),
});

/** The append-only trail. Rows are only ever inserted; a record id is stored at most once. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Hash of the last row this replica stored or read: where its next batch chains from. */
  private head: string | undefined;
  /** The last row of each tenant this replica stored or read, least recently used first. */
  private readonly tenantHeads = new Map<string, TenantHead>();

  /**
   * Appends the records not stored yet (by id), chaining their hashes, atomically. Returns how many
   * were new; redelivered records are skipped, so a redelivery never doubles a row.
   *
   * The usual batch is one INSERT chained from the heads this replica last wrote: the trail's, and
   * that of each tenant in the batch. A unique violation means a guess was wrong — another replica
   * appended (two rows cannot share a `prevHash`, nor a tenant's `tenantSeq`), or a record was stored
   * before (a redelivery) — and the batch takes the careful path: under the chain lock, read the real
   * heads and the ids already stored, then insert. So does a batch with a tenant this replica holds no
   * head of.
   */
  async append(records: Audit.AuditRecord[]): Promise<number> {
    return (await this.appendNew(records)).length;
  }

  /** As append, answering the records it chained now (as stored: redacted and scrubbed), in order. */
  async appendNew(records: Audit.AuditRecord[]): Promise<Audit.AuditRecord[]> {
    const batch = uniqueById(records);
    const tenants = [...new Set(batch.map(tenantOfRecord))];
    if (this.head !== undefined && tenants.every((t) => this.tenantHeads.has(t))) {
      const heads = new Map(tenants.map((t) => [t, this.tenantHeads.get(t) as TenantHead]));
      const rows = chainFrom(this.head, heads, batch);
      try {
        await this.insert(this.prisma, rows);
        this.remember(rows.at(-1)?.hash ?? this.head, heads);
        return rows.map((r) => r.record);
      } catch (e) {
        if (sqlStateOf(e) !== UNIQUE_VIOLATION) throw e;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendLocked(batch, tenants);
      } catch (e) {
        // A concurrent optimistic insert claimed the same head between our read and our insert.
        if (sqlStateOf(e) !== UNIQUE_VIOLATION || attempt >= 3) throw e;
      }
    }
  }

  private async appendLocked(
    batch: Audit.AuditRecord[],
    tenants: string[],
  ): Promise<Audit.AuditRecord[]> {
    const { found, head, heads, stored } = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
      // The trail's head, each batch tenant's head (its highest tenantSeq, by the unique index) and the
      // batch's ids already stored: one round trip.
      const [state] = await tx.$queryRaw<
        {
          head: string | null;
          existing: string[];
          tenantHeads: { tenantId: string; seq: number; hash: string }[];
        }[]
      >`
        SELECT (SELECT "hash" FROM "AuditEntry" ORDER BY "seq" DESC LIMIT 1) AS "head",
               ARRAY(SELECT "id"::text FROM "AuditEntry"
                     WHERE "id" = ANY(${batch.map((r) => r.id)}::uuid[])) AS "existing",
               COALESCE((SELECT json_agg(json_build_object('tenantId', t.id, 'seq', h."tenantSeq",
                                                           'hash', h."hash"))
                         FROM unnest(${tenants}::text[]) AS t(id)
                         CROSS JOIN LATERAL (
                           SELECT "tenantSeq", "hash" FROM "AuditEntry"
                           WHERE "tenantId" = t.id ORDER BY "tenantSeq" DESC LIMIT 1) AS h),
                        '[]'::json) AS "tenantHeads"`;
      const seen = new Set(state?.existing ?? []);
      const heads = new Map<string, TenantHead>(tenants.map((t) => [t, NO_ROWS]));
      for (const h of state?.tenantHeads ?? []) heads.set(h.tenantId, { seq: h.seq, hash: h.hash });
      const found = state?.head ?? GENESIS_HASH;
      const rows = chainFrom(
        found,
        heads,
        batch.filter((r) => !seen.has(r.id)),
      );
      await this.insert(tx, rows);
      return { found, head: rows.at(-1)?.hash ?? found, heads, stored: rows.map((r) => r.record) };
    });
    // Another replica appended since this one last did: any tenant head it holds may be behind
    // (its next batch of such a tenant would fail on the unique (tenantId, tenantSeq) first).
    if (found !== this.head) this.tenantHeads.clear();
    // Only once committed: a head that never was would let the next batch chain from nothing.
    this.remember(head, heads);
    return stored;
  }

  private remember(head: string, heads: Map<string, TenantHead>): void {
    this.head = head;
    for (const [tenantId, h] of heads) {
      this.tenantHeads.delete(tenantId);
      this.tenantHeads.set(tenantId, h);
    }
    for (const oldest of this.tenantHeads.keys()) {
      if (this.tenantHeads.size <= TENANT_HEADS_CACHED) break;
      this.tenantHeads.delete(oldest);
    }
  }

  /** One multi-row INSERT (rows get their `seq` in chain order). */
  private async insert(db: RawClient, rows: ChainedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const recordedAt = new Date().toISOString();
    const values = rows.map(
      ({ record: r, tenantId, prevHash, tenantSeq, tenantPrevHash, hash }) => Prisma.sql`(
        ${r.id}::uuid, ${new Date(r.at).toISOString()}::timestamp(3), ${r.category}, ${r.action},
        ${r.outcome}, ${r.source}, ${r.actor.userId ?? null}, ${r.actor.role ?? null},
        ${r.resource ?? null}, ${r.taskId ?? null}::uuid, ${r.traceId ?? null},
        ${r.correlationId ?? null}, ${JSON.stringify(r.details)}::jsonb, ${prevHash}, ${tenantId},
        ${tenantSeq}::int, ${tenantPrevHash}, ${HASH_VERSION}::smallint, ${hash},
        ${recordedAt}::timestamp(3))`,
    );
    await db.$executeRaw`
      INSERT INTO "AuditEntry" ("id", "at", "category", "action", "outcome", "source", "userId",
        "role", "resource", "taskId", "traceId", "correlationId", "details", "prevHash", "tenantId",
        "tenantSeq", "tenantPrevHash", "hashVersion", "hash", "recordedAt")
      VALUES ${Prisma.join(values)}`;
  }

  async query(q: Audit.AuditQueryRequest, scope: TenantScope): Promise<Audit.AuditQueryResponse> {
    const where: Prisma.AuditEntryWhereInput = {
      ...(scope === 'all' ? {} : { tenantId: scope.tenantId }),
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

  /**
   * Recomputes the chain and reports the first row that does not match: the whole trail in `seq` order
   * (its chain, and every tenant's along it), or one tenant's rows in `tenantSeq` order (that tenant's
   * chain, reading no other tenant's rows).
   */
  async verify(scope: TenantScope): Promise<Audit.AuditVerifyResponse> {
    return scope === 'all' ? this.verifyTrail() : this.verifyTenant(scope.tenantId);
  }

  private async verifyTrail(): Promise<Audit.AuditVerifyResponse> {
    const check = new TrailCheck();
    const broken = await this.scan(
      (after) => ({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' } }),
      (row) => row.seq,
      check,
    );
    return {
      ok: !broken,
      scope: 'all',
      checked: check.checked,
      ...(check.lastHash ? { lastHash: check.lastHash } : {}),
      ...brokenAt(broken),
    };
  }

  private async verifyTenant(tenantId: string): Promise<Audit.AuditVerifyResponse> {
    const check = new TenantCheck(tenantId);
    const broken = await this.scan(
      (after) => ({ where: { tenantId, tenantSeq: { gt: after } }, orderBy: { tenantSeq: 'asc' } }),
      (row) => row.tenantSeq,
      check,
    );
    return {
      ok: !broken,
      scope: 'tenant',
      tenantId,
      checked: check.checked,
      ...(check.firstTenantSeq ? { firstTenantSeq: check.firstTenantSeq } : {}),
      ...(check.lastTenantSeq ? { lastTenantSeq: check.lastTenantSeq } : {}),
      ...(check.lastHash ? { lastHash: check.lastHash } : {}),
      ...brokenAt(broken),
    };
  }

  /** Feeds rows to `check` page by page (keyset on `key`) until one breaks or none are left. */
  private async scan(
    page: (after: number) => Pick<Prisma.AuditEntryFindManyArgs, 'where' | 'orderBy'>,
    key: (row: Row) => number,
    check: { check(row: ChainRow): ChainBreak | undefined },
  ): Promise<ChainBreak | undefined> {
    let after = 0;
    for (;;) {
      const rows = await this.prisma.auditEntry.findMany({ ...page(after), take: VERIFY_PAGE });
      for (const row of rows) {
        const broken = check.check(toChainRow(row));
        if (broken) return broken;
        after = key(row);
      }
      if (rows.length < VERIFY_PAGE) return undefined;
    }
  }
}

function brokenAt(broken: ChainBreak | undefined): Partial<Audit.AuditVerifyResponse> {
  return broken
    ? {
        firstBrokenSeq: broken.seq,
        firstBrokenTenantSeq: broken.tenantSeq,
        reason: broken.reason,
      }
    : {};
}
