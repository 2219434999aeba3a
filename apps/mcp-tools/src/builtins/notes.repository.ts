import { Injectable } from '@nestjs/common';
import { DomainError, type Tools } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { CallRecord } from '../registry/tool-implementation.js';
import { DB_NOW } from '../tools/tool-call.repository.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';

type NoteRow = { id: string; title: string | null; content: string; createdAt: Date };

const ANOTHER_NOTE = new DomainError('CONFLICT', 'idempotency key already used for another note');

/** A note with whose it is, for the caller to decide who may see it. */
export type StoredNote = Tools.Note & TenantUser;

const toNote = (row: NoteRow): Tools.Note => ({
  id: row.id,
  title: row.title,
  content: row.content,
  createdAt: row.createdAt.toISOString(),
});

/** Notes belong to one user of one tenant; every query is scoped by them (or read by id, with both). */
@Injectable()
export class NotesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a note; with an idempotency key, at most one per key and tenant: a second add under the
   * same key returns the note the first one stored.
   */
  async add(
    owner: TenantUser,
    content: string,
    title: string | null,
    idempotencyKey?: string,
  ): Promise<Tools.Note> {
    const { tenantId, userId } = owner;
    // Raw: the demo's hot write (half the CPU of Prisma's builder). UTC wall time, as Prisma writes.
    const row = { id: randomUUID(), title, content, createdAt: new Date() };
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "Note" ("id", "tenantId", "userId", "title", "content", "createdAt", "idempotencyKey")
      VALUES (${row.id}::uuid, ${tenantId}, ${userId}, ${title}, ${content},
              ${row.createdAt.toISOString()}::timestamp(3), ${idempotencyKey ?? null})
      ON CONFLICT ("tenantId", "idempotencyKey") DO NOTHING`;
    if (inserted === 1 || idempotencyKey === undefined) return toNote(row);
    const earlier = await this.prisma.note.findFirst({
      where: { tenantId, idempotencyKey, userId },
    });
    if (!earlier) throw ANOTHER_NOTE;
    return toNote(earlier);
  }

  /**
   * Stores a note and its call's idempotency record, completed with the note, in ONE statement: the
   * record is claimed (inserted, or a `refused` one of the same user and tool taken again) and the
   * note inserted only if the claim was — so a crash can fall before the statement (nothing stored:
   * the call runs again) or after it (both stored: a repeat gets this note), never between, and
   * there is nothing to renew, take over or complete afterwards. `taken`: the key was claimed before
   * (a repeat, a call under way or lost): nothing was stored; the caller answers from the record.
   */
  async addRecorded(
    owner: TenantUser,
    content: string,
    title: string | null,
    call: CallRecord,
  ): Promise<{ note: Tools.Note; taken: boolean }> {
    const { tenantId, userId } = owner;
    const note = toNote({ id: randomUUID(), title, content, createdAt: new Date() });
    const [done] = await this.prisma.$queryRaw<{ claimed: number; stored: number }[]>`
      WITH claimed AS (
        INSERT INTO "ToolCall" ("tenantId", "idempotencyKey", "userId", "tool", "status", "output",
                                "createdAt", "finishedAt", "owner", "heartbeatAt")
        VALUES (${call.tenantId}, ${call.key}, ${call.userId}, ${call.tool}, 'completed',
                ${jsonText(note)}::jsonb, ${DB_NOW}, ${DB_NOW}, ${call.owner}, ${DB_NOW})
        ON CONFLICT ("tenantId", "idempotencyKey") DO UPDATE
          SET "status" = 'completed', "output" = EXCLUDED."output", "error" = NULL,
              "createdAt" = EXCLUDED."createdAt", "finishedAt" = EXCLUDED."finishedAt",
              "owner" = EXCLUDED."owner", "heartbeatAt" = EXCLUDED."heartbeatAt"
          WHERE "ToolCall"."status" = 'refused' AND "ToolCall"."userId" = EXCLUDED."userId"
            AND "ToolCall"."tool" = EXCLUDED."tool"
        RETURNING 1
      ), stored AS (
        INSERT INTO "Note" ("id", "tenantId", "userId", "title", "content", "createdAt", "idempotencyKey")
        SELECT ${note.id}::uuid, ${tenantId}, ${userId}, ${title}, ${content},
               ${note.createdAt}::timestamp(3), ${call.key}
        FROM claimed
        ON CONFLICT ("tenantId", "idempotencyKey") DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM claimed)::int AS "claimed",
             (SELECT count(*) FROM stored)::int AS "stored"`;
    if (!done?.claimed) return { note, taken: true };
    if (done.stored) return { note, taken: false };
    return { note: await this.adoptEarlier(owner, call), taken: false };
  }

  /**
   * The key was free but a note already had it: stored by an earlier run whose record is gone. That
   * note is the call's outcome (the record is corrected to it); another user's is a CONFLICT.
   */
  private async adoptEarlier(owner: TenantUser, call: CallRecord): Promise<Tools.Note> {
    const { tenantId, userId } = owner;
    const earlier = await this.prisma.note.findFirst({
      where: { tenantId, idempotencyKey: call.key, userId },
    });
    const outcome = earlier
      ? Prisma.sql`"status" = 'completed', "output" = ${jsonText(toNote(earlier))}::jsonb`
      : Prisma.sql`"status" = 'failed', "output" = NULL, "error" = ${jsonText(ANOTHER_NOTE.toBody())}::jsonb`;
    await this.prisma.$executeRaw`
      UPDATE "ToolCall" SET ${outcome}
      WHERE "tenantId" = ${call.tenantId} AND "idempotencyKey" = ${call.key}`;
    if (!earlier) throw ANOTHER_NOTE;
    return toNote(earlier);
  }

  /** The note with this id, whoever's it is. */
  async find(id: string): Promise<StoredNote | undefined> {
    const row = await this.prisma.note.findUnique({ where: { id } });
    return row ? { ...toNote(row), tenantId: row.tenantId, userId: row.userId } : undefined;
  }

  /** The user's newest notes, in one tenant or (`tenants` empty: the platform operator) in all. */
  async list(userId: string, tenants: { tenantId?: string }, limit: number): Promise<Tools.Note[]> {
    const rows = await this.prisma.note.findMany({
      where: { userId, ...tenants },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map(toNote);
  }
}
