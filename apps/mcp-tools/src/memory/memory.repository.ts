import { Injectable } from '@nestjs/common';
import type { Tools } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { toBytes } from './embeddings/memory-vector.js';
import type { MemoryScope } from './memory-rights.js';

/** What a search asks: its text, where (absent: every namespace the caller may read), how many. */
export interface MemoryQuery {
  readonly query: string;
  readonly namespaces?: readonly Tools.MemoryNamespace[] | undefined;
  readonly limit: number;
}

/**
 * The query's words as `q` (stemmed, stop words dropped, ORed, so an item matching some of them is
 * found; NULL when none is left): the one reading of a query's words, by the word search and by the
 * meaning search's word ranks alike.
 */
export function queryWords(query: string): Prisma.Sql {
  return Prisma.sql`LATERAL (SELECT NULLIF(replace(plainto_tsquery('english', ${query})::text, ' & ', ' | '), '')::tsquery AS q) AS s`;
}

export interface ItemRow {
  id: string;
  namespaceKind: Tools.MemoryNamespaceKind;
  namespaceKey: string;
  ownerId: string;
  content: string;
  metadata: Record<string, unknown>;
  writerUserId: string;
  writerTaskId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An item with whose it is, for the caller to decide who may see or delete it. */
export type StoredMemory = Tools.MemoryItem & { ownerId: string };

export interface NewMemory {
  namespace: Tools.MemoryNamespace;
  ownerId: string;
  content: string;
  metadata: Record<string, unknown>;
  writerTaskId: string | null;
  idempotencyKey?: string | undefined;
  /** Its vector (unit length) and the model that made it, for search by meaning. */
  embedding?: { model: string; vector: Float32Array } | undefined;
}

/** An edit of one item: what is given changes; new content comes with its vector, or null (none). */
export interface MemoryEdit {
  content?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  embedding?: { model: string; vector: Float32Array } | null | undefined;
}

export const COLUMNS = Prisma.sql`"id", "namespaceKind", "namespaceKey", "ownerId", "content", "metadata",
  "writerUserId", "writerTaskId", "createdAt", "updatedAt"`;

export const toItem = (row: ItemRow): StoredMemory => ({
  id: row.id,
  namespace: { kind: row.namespaceKind, key: row.namespaceKey },
  content: row.content,
  metadata: row.metadata,
  writtenBy: { userId: row.writerUserId, taskId: row.writerTaskId },
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  ownerId: row.ownerId,
});

/**
 * The memory items of mcp-tools' database. Every statement names the caller's tenant; which of the
 * tenant's items the caller may see is decided by the caller (memory-rights.ts) and passed as a
 * filter, so a query can never reach another tenant's rows.
 */
@Injectable()
export class MemoryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores an item; with an idempotency key, at most one per key and tenant (a repeat finds it). */
  async put(scope: MemoryScope, item: NewMemory): Promise<StoredMemory> {
    const id = randomUUID();
    const vector = item.embedding ? toBytes(item.embedding.vector) : null;
    const rows = await this.prisma.$queryRaw<ItemRow[]>`
      WITH stored AS (
        INSERT INTO "MemoryItem" ("id", "tenantId", "namespaceKind", "namespaceKey", "ownerId",
                                  "content", "metadata", "writerUserId", "writerTaskId",
                                  "idempotencyKey", "embedding", "embeddingModel")
        VALUES (${id}::uuid, ${scope.tenantId}, ${item.namespace.kind}, ${item.namespace.key},
                ${item.ownerId}, ${item.content}, ${jsonText(item.metadata)}::jsonb, ${scope.userId},
                ${item.writerTaskId}, ${item.idempotencyKey ?? null}, ${vector},
                ${item.embedding?.model ?? null})
        ON CONFLICT ("tenantId", "idempotencyKey") DO NOTHING
        RETURNING ${COLUMNS}
      )
      SELECT ${COLUMNS} FROM stored
      UNION ALL
      SELECT ${COLUMNS} FROM "MemoryItem"
      WHERE "tenantId" = ${scope.tenantId} AND "idempotencyKey" = ${item.idempotencyKey ?? null}
        AND "writerUserId" = ${scope.userId} AND NOT EXISTS (SELECT 1 FROM stored)`;
    const row = rows[0];
    if (!row) throw new Error('idempotency key already used for another memory item');
    return toItem(row);
  }

  /** The tenant's item with this id, whoever's it is. */
  async find(tenantId: string, id: string): Promise<StoredMemory | undefined> {
    const rows = await this.prisma.$queryRaw<ItemRow[]>`
      SELECT ${COLUMNS} FROM "MemoryItem" WHERE "tenantId" = ${tenantId} AND "id" = ${id}::uuid`;
    return rows[0] ? toItem(rows[0]) : undefined;
  }

  /**
   * Full-text search: the query's words (stemmed, stop words dropped) ORed, so an item matching some
   * of them is found, ranked by ts_rank (more words, higher) and then newest first.
   */
  async search(
    scope: MemoryScope,
    { query, namespaces, limit }: MemoryQuery,
  ): Promise<Tools.RecalledMemory[]> {
    const rows = await this.prisma.$queryRaw<(ItemRow & { score: number })[]>`
      SELECT ${COLUMNS}, ts_rank("search", q)::float8 AS "score"
      FROM "MemoryItem", ${queryWords(query)}
      WHERE "tenantId" = ${scope.tenantId} AND "search" @@ q AND ${visible(scope, namespaces)}
      ORDER BY "score" DESC, "createdAt" DESC
      LIMIT ${limit}`;
    return rows.map(({ score, ...row }) => {
      const { ownerId: _owner, ...item } = toItem(row);
      return { ...item, score, matchedBy: 'words' as const };
    });
  }

  /** A namespace's newest items (the caller checked it may read it). */
  async list(
    scope: MemoryScope,
    ns: Tools.MemoryNamespace,
    limit: number,
  ): Promise<StoredMemory[]> {
    const rows = await this.prisma.$queryRaw<ItemRow[]>`
      SELECT ${COLUMNS} FROM "MemoryItem"
      WHERE "tenantId" = ${scope.tenantId} AND "namespaceKind" = ${ns.kind}
        AND "namespaceKey" = ${ns.key}
      ORDER BY "createdAt" DESC LIMIT ${limit}`;
    return rows.map(toItem);
  }

  /**
   * Deletes everything of one user in the tenant (their namespace, the thread items they wrote) and
   * returns what was deleted; `remaining` reads the same rows back after the delete committed.
   */
  async forgetUser(
    tenantId: string,
    userId: string,
  ): Promise<{ contents: string[]; remaining: number }> {
    const deleted = await this.prisma.$queryRaw<{ content: string }[]>`
      DELETE FROM "MemoryItem" WHERE "tenantId" = ${tenantId} AND ${ofUser(userId)}
      RETURNING "content"`;
    const [left] = await this.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS "n" FROM "MemoryItem" WHERE "tenantId" = ${tenantId} AND ${ofUser(userId)}`;
    return { contents: deleted.map((r) => r.content), remaining: left?.n ?? 0 };
  }

  /**
   * Deletes every item of a tenant (the tenant is being removed): returns how many, the SHA-256 of
   * the first thousand contents (hashed in the database, so the contents never leave it), and what a
   * read-back after the delete committed still finds.
   */
  async forgetTenant(
    tenantId: string,
  ): Promise<{ deleted: number; contentSha256: string[]; remaining: number }> {
    const [gone] = await this.prisma.$queryRaw<{ n: number; hashes: string[] | null }[]>`
      WITH d AS (DELETE FROM "MemoryItem" WHERE "tenantId" = ${tenantId} RETURNING "content")
      SELECT count(*)::int AS "n",
             (array_agg(encode(sha256(convert_to("content", 'UTF8')), 'hex')))[1:1000] AS "hashes"
      FROM d`;
    const [left] = await this.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS "n" FROM "MemoryItem" WHERE "tenantId" = ${tenantId}`;
    return {
      deleted: gone?.n ?? 0,
      contentSha256: gone?.hashes ?? [],
      remaining: left?.n ?? 0,
    };
  }

  /**
   * Edits one item of the tenant in one statement, so no search sees half of it: the search column is
   * generated from the content and the vector is replaced (or cleared) with it. Answers the item and
   * the SHA-256 of its content before and after, hashed in the database; undefined if it is gone.
   */
  async update(
    tenantId: string,
    id: string,
    edit: MemoryEdit,
  ): Promise<{ item: StoredMemory; before: string; after: string } | undefined> {
    const sets = [Prisma.sql`"updatedAt" = (now() AT TIME ZONE 'UTC')`];
    if (edit.content !== undefined)
      sets.push(
        Prisma.sql`"content" = ${edit.content}`,
        Prisma.sql`"embedding" = ${edit.embedding ? toBytes(edit.embedding.vector) : null}`,
        Prisma.sql`"embeddingModel" = ${edit.embedding?.model ?? null}`,
      );
    if (edit.metadata !== undefined)
      sets.push(Prisma.sql`"metadata" = ${jsonText(edit.metadata)}::jsonb`);
    // The row is locked before it is read, so `before` is what this edit replaced.
    const rows = await this.prisma.$queryRaw<(ItemRow & { before: string; after: string })[]>`
      WITH old AS (
        SELECT "id" AS "oldId", "content" AS "oldContent" FROM "MemoryItem"
        WHERE "tenantId" = ${tenantId} AND "id" = ${id}::uuid FOR UPDATE)
      UPDATE "MemoryItem" SET ${Prisma.join(sets, ', ')} FROM old WHERE "id" = old."oldId"
      RETURNING ${COLUMNS}, ${hex(Prisma.sql`old."oldContent"`)} AS "before",
                ${hex(Prisma.sql`"MemoryItem"."content"`)} AS "after"`;
    const row = rows[0];
    if (!row) return undefined;
    const { before, after, ...item } = row;
    return { item: toItem(item), before, after };
  }

  /**
   * Deletes one namespace of the tenant (only `ownerId`'s items in it when given) in one statement,
   * so in one transaction: each row's search entry and vector are its columns and go with it. Returns
   * the deleted ids, the SHA-256 of their contents (hashed in the database: the contents never leave
   * it) and what a read-back after the commit still finds.
   */
  async forgetNamespace(
    tenantId: string,
    ns: Tools.MemoryNamespace,
    ownerId: string | undefined,
  ): Promise<{ ids: string[]; contentSha256: string[]; remaining: number }> {
    const gone = await this.prisma.$queryRaw<{ id: string; sha: string }[]>`
      DELETE FROM "MemoryItem" WHERE "tenantId" = ${tenantId} AND ${inNamespace(ns, ownerId)}
      RETURNING "id"::text AS "id", encode(sha256(convert_to("content", 'UTF8')), 'hex') AS "sha"`;
    const [left] = await this.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS "n" FROM "MemoryItem"
      WHERE "tenantId" = ${tenantId} AND ${inNamespace(ns, ownerId)}`;
    return {
      ids: gone.map((r) => r.id),
      contentSha256: gone.map((r) => r.sha),
      remaining: left?.n ?? 0,
    };
  }

  /** Whether an item with this id exists in another tenant than `tenantId` (to audit the attempt). */
  async inOtherTenant(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM "MemoryItem" WHERE "id" = ${id}::uuid AND "tenantId" <> ${tenantId}`;
    return rows.length > 0;
  }

  /** Deletes one item of the tenant; its search entry is a column of its row and goes with it. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const deleted = await this.prisma.$executeRaw`
      DELETE FROM "MemoryItem" WHERE "tenantId" = ${tenantId} AND "id" = ${id}::uuid`;
    return deleted === 1;
  }
}

/** The SHA-256 of a text column, in hex: what audit records keep instead of the text. */
const hex = (column: Prisma.Sql) =>
  Prisma.sql`encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;

/** A user's own items: their namespace, and the thread items they wrote. */
const ofUser = (userId: string) =>
  Prisma.sql`(("namespaceKind" = 'user' AND "namespaceKey" = ${userId})
    OR ("namespaceKind" = 'thread' AND "ownerId" = ${userId}))`;

/** One namespace's items; only `ownerId`'s when given (a user forgetting their part of a thread). */
const inNamespace = (ns: Tools.MemoryNamespace, ownerId: string | undefined) =>
  Prisma.sql`"namespaceKind" = ${ns.kind} AND "namespaceKey" = ${ns.key}
    ${ownerId === undefined ? Prisma.empty : Prisma.sql`AND "ownerId" = ${ownerId}`}`;

/**
 * What a search may return: by default the caller's own user namespace and thread items and the
 * tenant's agent and tenant namespaces (an admin's recall is not everyone's memory); named
 * namespaces (already checked readable) narrow it, with the owner rule of threads kept.
 */
export function visible(
  scope: MemoryScope,
  namespaces: readonly Tools.MemoryNamespace[] | undefined,
) {
  const mine = Prisma.sql`(("namespaceKind" = 'user' AND "namespaceKey" = ${scope.userId})
    OR ("namespaceKind" = 'thread' AND "ownerId" = ${scope.userId})
    OR "namespaceKind" IN ('agent', 'tenant'))`;
  if (!namespaces) return mine;
  const named = Prisma.join(
    namespaces.map(
      (ns) => Prisma.sql`("namespaceKind" = ${ns.kind} AND "namespaceKey" = ${ns.key})`,
    ),
    ' OR ',
  );
  return scope.admin ? Prisma.sql`(${named})` : Prisma.sql`(${named}) AND ${mine}`;
}
