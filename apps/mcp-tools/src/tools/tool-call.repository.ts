import { Injectable } from '@nestjs/common';
import { DomainError, ErrorBody } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

export type CallClaim =
  | { state: 'new' }
  | { state: 'completed'; output: unknown }
  /** Failed, or interrupted (its replica stopped mid-call): `error` says which. */
  | { state: 'failed'; error: ErrorBody }
  /**
   * Still running: since `startedAt`, for `runningForMs` as the database's clock measures it; its
   * replica last renewed its lease `leaseAgeMs` ago (undefined for a call without a lease).
   */
  | { state: 'running'; startedAt: Date; runningForMs: number; leaseAgeMs?: number };

/**
 * What names one call: its idempotency key within its tenant. The same key under another tenant is
 * another call, so a key replayed from another tenant never finds (or waits for) this one.
 */
export interface CallKey {
  tenantId: string;
  key: string;
}

interface CallRow {
  userId: string;
  tool: string;
  status: string;
  output: unknown;
  error: unknown;
  createdAt: Date;
  runningForMs: number;
  leaseAgeMs: number | null;
}

/** The database's clock, as every replica reads it (UTC wall time, as Prisma writes). */
export const DB_NOW = Prisma.sql`(clock_timestamp() AT TIME ZONE 'UTC')::timestamp(3)`;

/**
 * Idempotency records: the first call with a key claims it (`running`, leased to its replica); it
 * ends `completed` or `failed`, or — when its replica died mid-call — `interrupted` (set by a later
 * call with the key), or is taken over by a later call when the tool may run again under its key.
 * A call refused before it ran (a quota) is `refused`: a repeat waiting for it gets the refusal,
 * and the next call with the key claims it anew. Every statement names the tenant with the key (the table's
 * key is the pair).
 */
@Injectable()
export class ToolCallRepository {
  constructor(private readonly prisma: PrismaService) {}

  async claim(call: CallKey, userId: string, tool: string, owner: string): Promise<CallClaim> {
    // One statement on every non-idempotent call's path (raw: half the CPU of Prisma's builder).
    // The database's clock: how long a call has been running, and how old its lease is, are
    // measured by that one clock, whichever replica asks, so replicas' clock skew cannot make a
    // repeat take a call that is still running for one that died.
    // A call refused before it ran (status `refused`) is claimed again by the same user and tool.
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "ToolCall" ("tenantId", "idempotencyKey", "userId", "tool", "status", "createdAt", "owner", "heartbeatAt")
      VALUES (${call.tenantId}, ${call.key}, ${userId}, ${tool}, 'running', ${DB_NOW}, ${owner}, ${DB_NOW})
      ON CONFLICT ("tenantId", "idempotencyKey") DO UPDATE
        SET "status" = 'running', "error" = NULL, "finishedAt" = NULL, "createdAt" = EXCLUDED."createdAt",
            "owner" = EXCLUDED."owner", "heartbeatAt" = EXCLUDED."heartbeatAt"
        WHERE "ToolCall"."status" = 'refused' AND "ToolCall"."userId" = EXCLUDED."userId"
          AND "ToolCall"."tool" = EXCLUDED."tool"`;
    return inserted === 1 ? { state: 'new' } : this.read(call, userId, tool);
  }

  /** The outcome so far of the call that claimed the key. */
  async read(call: CallKey, userId: string, tool: string): Promise<CallClaim> {
    const [row] = await this.prisma.$queryRaw<CallRow[]>`
      SELECT "userId", "tool", "status", "output", "error", "createdAt",
        (EXTRACT(EPOCH FROM (${DB_NOW} - "createdAt")) * 1000)::float8 AS "runningForMs",
        (EXTRACT(EPOCH FROM (${DB_NOW} - "heartbeatAt")) * 1000)::float8 AS "leaseAgeMs"
      FROM "ToolCall" WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key}`;
    if (!row) return { state: 'running', startedAt: new Date(), runningForMs: 0 };
    if (row.userId !== userId || row.tool !== tool) {
      throw new DomainError('CONFLICT', 'idempotency key already used for another call');
    }
    return stateOf(row);
  }

  async complete(call: CallKey, output: unknown): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "status" = 'completed', "output" = ${jsonText(output)}::jsonb,
        "finishedAt" = ${new Date().toISOString()}::timestamp(3)
      WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key}`;
  }

  async fail(call: CallKey, error: ErrorBody): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "status" = 'failed', "error" = ${jsonText(error)}::jsonb,
        "finishedAt" = ${new Date().toISOString()}::timestamp(3)
      WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key}`;
  }

  /** Marks a claimed call refused before it ran (`error`: why); its key may be claimed again. */
  async refuse(call: CallKey, error: ErrorBody): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "status" = 'refused', "error" = ${jsonText(error)}::jsonb,
        "finishedAt" = ${new Date().toISOString()}::timestamp(3)
      WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key} AND "status" = 'running'`;
  }

  /** Renews the leases of the calls `owner` is running (one statement, whatever their tenants). */
  async renew(calls: readonly CallKey[], owner: string): Promise<void> {
    const tenants = calls.map((c) => c.tenantId);
    const keys = calls.map((c) => c.key);
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "heartbeatAt" = ${DB_NOW}
      WHERE ("tenantId", "idempotencyKey") IN (SELECT * FROM unnest(${tenants}::text[], ${keys}::text[]))
        AND "owner" = ${owner} AND "status" = 'running'`;
  }

  /**
   * Takes over a running call whose lease is older than `staleMs` (its replica is gone): true when
   * this replica now owns it (and may run it again), false when it finished or someone else took it.
   */
  async takeOver(call: CallKey, owner: string, staleMs: number): Promise<boolean> {
    const taken = await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "owner" = ${owner}, "heartbeatAt" = ${DB_NOW}, "createdAt" = ${DB_NOW}
      WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key} AND "status" = 'running'
        AND "heartbeatAt" < ${DB_NOW} - make_interval(secs => ${staleMs / 1000}::float8)`;
    return taken === 1;
  }

  /** Marks a call that is still `running` as interrupted; false when it finished in the meantime. */
  async interrupt(call: CallKey, error: ErrorBody): Promise<boolean> {
    const { count } = await this.prisma.toolCall.updateMany({
      where: { tenantId: call.tenantId, idempotencyKey: call.key, status: 'running' },
      data: {
        status: 'interrupted',
        error: error as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
    return count === 1;
  }
}

function stateOf(row: CallRow): CallClaim {
  switch (row.status) {
    case 'completed':
      return { state: 'completed', output: row.output };
    case 'failed':
    case 'interrupted':
    case 'refused':
      return { state: 'failed', error: ErrorBody.parse(row.error) };
    default:
      return {
        state: 'running',
        startedAt: row.createdAt,
        runningForMs: Math.max(0, row.runningForMs),
        ...(row.leaseAgeMs === null ? {} : { leaseAgeMs: Math.max(0, row.leaseAgeMs) }),
      };
  }
}
