import { Injectable } from '@nestjs/common';
import { DomainError, type Tools } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../prisma/prisma.service.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';

type NoteRow = { id: string; title: string | null; content: string; createdAt: Date };

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
    if (!earlier) {
      throw new DomainError('CONFLICT', 'idempotency key already used for another note');
    }
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
