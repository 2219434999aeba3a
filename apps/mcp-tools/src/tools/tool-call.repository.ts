import { Injectable } from '@nestjs/common';
import { DomainError, ErrorBody, scrubJson } from '@switchboard/contracts';
import { Prisma, type ToolCall } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

export type CallClaim =
  | { state: 'new' }
  | { state: 'completed'; output: unknown }
  /** Failed, or interrupted (its replica stopped mid-call): `error` says which. */
  | { state: 'failed'; error: ErrorBody }
  | { state: 'running'; startedAt: Date };

/** A JSON value as jsonb text (characters jsonb refuses scrubbed), SQL NULL when absent. */
const jsonText = (v: unknown): string | null =>
  v === undefined || v === null ? null : JSON.stringify(scrubJson(v));

/**
 * Idempotency records: the first call with a key claims it (`running`); it ends `completed` or
 * `failed`, or — when its replica died mid-call — `interrupted` (set by a later call with the key).
 */
@Injectable()
export class ToolCallRepository {
  constructor(private readonly prisma: PrismaService) {}

  async claim(key: string, userId: string, tool: string): Promise<CallClaim> {
    // One statement on every non-idempotent call's path (raw: half the CPU of Prisma's builder).
    // The replica's clock, like the deadlines later compared with it; UTC wall time as Prisma writes.
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "ToolCall" ("idempotencyKey", "userId", "tool", "status", "createdAt")
      VALUES (${key}, ${userId}, ${tool}, 'running', ${new Date().toISOString()}::timestamp(3))
      ON CONFLICT ("idempotencyKey") DO NOTHING`;
    return inserted === 1 ? { state: 'new' } : this.read(key, userId, tool);
  }

  /** The outcome so far of the call that claimed `key`. */
  async read(key: string, userId: string, tool: string): Promise<CallClaim> {
    const row = await this.prisma.toolCall.findUnique({ where: { idempotencyKey: key } });
    if (!row) return { state: 'running', startedAt: new Date() };
    if (row.userId !== userId || row.tool !== tool) {
      throw new DomainError('CONFLICT', 'idempotency key already used for another call');
    }
    return stateOf(row);
  }

  async complete(key: string, output: unknown): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "status" = 'completed', "output" = ${jsonText(output)}::jsonb,
        "finishedAt" = ${new Date().toISOString()}::timestamp(3)
      WHERE "idempotencyKey" = ${key}`;
  }

  async fail(key: string, error: ErrorBody): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET "status" = 'failed', "error" = ${jsonText(error)}::jsonb,
        "finishedAt" = ${new Date().toISOString()}::timestamp(3)
      WHERE "idempotencyKey" = ${key}`;
  }

  /** Marks a call that is still `running` as interrupted; false when it finished in the meantime. */
  async interrupt(key: string, error: ErrorBody): Promise<boolean> {
    const { count } = await this.prisma.toolCall.updateMany({
      where: { idempotencyKey: key, status: 'running' },
      data: {
        status: 'interrupted',
        error: error as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
    return count === 1;
  }
}

function stateOf(row: ToolCall): CallClaim {
  switch (row.status) {
    case 'completed':
      return { state: 'completed', output: row.output };
    case 'failed':
    case 'interrupted':
      return { state: 'failed', error: ErrorBody.parse(row.error) };
    default:
      return { state: 'running', startedAt: row.createdAt };
  }
}
