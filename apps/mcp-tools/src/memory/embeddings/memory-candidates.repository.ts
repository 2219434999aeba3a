import { Injectable } from '@nestjs/common';
import type { Tools } from '@switchboard/contracts';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import type { MemoryScope } from '../memory-rights.js';
import {
  COLUMNS,
  type ItemRow,
  type MemoryQuery,
  queryWords,
  type StoredMemory,
  toItem,
  visible,
} from '../memory.repository.js';
import { fromBytes } from './memory-vector.js';

/** A candidate of a search by meaning: its id, age, vector (if of `model`) and word rank. */
export interface Candidate {
  id: string;
  createdAt: Date;
  vector: Float32Array | undefined;
  /** ts_rank of the query's words; 0 when none matched. */
  words: number;
}

/**
 * The items a search by meaning compares with the query (docs/memory.md, "Search by meaning"): the
 * caller's `n` newest visible items, in the caller's tenant. There is no vector index (no pgvector
 * here), so the comparison happens in mcp-tools over this bounded set.
 */
@Injectable()
export class MemoryCandidates {
  constructor(private readonly prisma: PrismaService) {}

  async of(
    scope: MemoryScope,
    { query, namespaces }: MemoryQuery,
    model: string,
    n: number,
  ): Promise<Candidate[]> {
    // Only what ranking needs: the items themselves are read for the few that are returned. Word
    // ranks only for items without a vector of this model (stored while the endpoint was down).
    const rows = await this.prisma.$queryRaw<
      { id: string; createdAt: Date; embedding: string | null; words: number | null }[]
    >`
      SELECT "id", "createdAt",
             CASE WHEN "embeddingModel" = ${model} THEN encode("embedding", 'base64') END AS "embedding",
             CASE WHEN "embeddingModel" IS DISTINCT FROM ${model} AND "search" @@ q
                  THEN ts_rank("search", q) END::float8 AS "words"
      FROM (${newest(scope, namespaces, n)}) AS n, ${queryWords(query)}`;
    return rows.map(({ id, createdAt, embedding, words }) => ({
      id,
      createdAt,
      vector: embedding ? fromBytes(Buffer.from(embedding, 'base64')) : undefined,
      words: words ?? 0,
    }));
  }

  /** The tenant's items with these ids, in no particular order. */
  async items(tenantId: string, ids: readonly string[]): Promise<StoredMemory[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.$queryRaw<ItemRow[]>`
      SELECT ${COLUMNS} FROM "MemoryItem"
      WHERE "tenantId" = ${tenantId} AND "id" = ANY(${[...ids]}::uuid[])`;
    return rows.map(toItem);
  }
}

const PICKED = Prisma.sql`"id", "createdAt", "embedding", "embeddingModel", "search"`;

/**
 * The caller's `n` newest visible items (what ranking reads of them). By default (own items and the tenant's shared
 * ones) as two index range scans on (tenantId, ownerId, createdAt): the caller's own items have
 * their id as owner, shared ones the empty owner — so a large shared namespace costs `n` rows, not
 * all of it.
 */
function newest(
  scope: MemoryScope,
  namespaces: readonly Tools.MemoryNamespace[] | undefined,
  n: number,
): Prisma.Sql {
  const filter = visible(scope, namespaces);
  if (namespaces)
    return Prisma.sql`SELECT ${PICKED} FROM "MemoryItem" WHERE "tenantId" = ${scope.tenantId}
      AND ${filter} ORDER BY "createdAt" DESC LIMIT ${n}`;
  const branch = (owner: string) => Prisma.sql`(SELECT ${PICKED} FROM "MemoryItem"
      WHERE "tenantId" = ${scope.tenantId} AND "ownerId" = ${owner} AND ${filter}
      ORDER BY "createdAt" DESC LIMIT ${n})`;
  return Prisma.sql`SELECT * FROM (${branch(scope.userId)} UNION ALL ${branch('')}) AS b
    ORDER BY "createdAt" DESC LIMIT ${n}`;
}
