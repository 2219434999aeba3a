import { Injectable } from '@nestjs/common';
import { DomainError, type Tools } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../prisma/prisma.service.js';

type NoteRow = { id: string; title: string | null; content: string; createdAt: Date };

const toNote = (row: NoteRow): Tools.Note => ({
  id: row.id,
  title: row.title,
  content: row.content,
  createdAt: row.createdAt.toISOString(),
});

/** Notes belong to one user; every query is scoped by user id. */
@Injectable()
export class NotesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a note; with an idempotency key, at most one per key: a second add under the same key
   * returns the note the first one stored.
   */
  async add(
    userId: string,
    content: string,
    title: string | null,
    idempotencyKey?: string,
  ): Promise<Tools.Note> {
    // Raw: the demo's hot write (half the CPU of Prisma's builder). UTC wall time, as Prisma writes.
    const row = { id: randomUUID(), title, content, createdAt: new Date() };
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "Note" ("id", "userId", "title", "content", "createdAt", "idempotencyKey")
      VALUES (${row.id}::uuid, ${userId}, ${title}, ${content},
              ${row.createdAt.toISOString()}::timestamp(3), ${idempotencyKey ?? null})
      ON CONFLICT ("idempotencyKey") DO NOTHING`;
    if (inserted === 1 || idempotencyKey === undefined) return toNote(row);
    const earlier = await this.prisma.note.findFirst({ where: { idempotencyKey, userId } });
    if (!earlier) {
      throw new DomainError('CONFLICT', 'idempotency key already used for another note');
    }
    return toNote(earlier);
  }

  async get(userId: string | null, id: string): Promise<Tools.Note | undefined> {
    const row = await this.prisma.note.findFirst({
      where: userId === null ? { id } : { id, userId },
    });
    return row ? toNote(row) : undefined;
  }

  async list(userId: string, limit: number): Promise<Tools.Note[]> {
    const rows = await this.prisma.note.findMany({
      where: { userId },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map(toNote);
  }
}
