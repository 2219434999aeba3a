import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ThreadTurn } from '../planning/index.js';

export interface StoredTurn extends ThreadTurn {
  taskId: string;
  tokens: number;
}

/**
 * Whose thread: a thread id only means something together with its user, and a user id only within
 * its tenant — the same thread id in two tenants (or of two users) names two threads.
 */
export interface ThreadKey {
  tenantId: string;
  userId: string;
  threadId: string;
}

/** Conversation turns, per tenant, user and thread. */
@Injectable()
export class ThreadRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The newest turns first, other tasks only. Served by the (tenantId, userId, threadId, createdAt) index. */
  async recent(
    { tenantId, userId, threadId }: ThreadKey,
    excludeTaskId: string,
    limit: number,
  ): Promise<StoredTurn[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.turn.findMany({
      where: { tenantId, userId, threadId, taskId: { not: excludeTaskId } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((r) => ({
      taskId: r.taskId,
      role: r.role as ThreadTurn['role'],
      content: r.content,
      tokens: r.tokens,
    }));
  }

  /** Stores a task's exchange; idempotent (one user and one assistant turn per task). */
  async saveExchange(args: {
    thread: ThreadKey;
    taskId: string;
    user: { content: string; tokens: number };
    assistant: { content: string; tokens: number };
    at: Date;
    /** How many of the thread's newest turns are kept: older ones are deleted with this write. */
    keep: number;
  }): Promise<void> {
    const { thread, taskId, at, keep } = args;
    // The assistant's turn is a millisecond later so that the order survives equal timestamps.
    const turns = [
      { id: `${taskId}:user`, role: 'user', ...args.user, createdAt: at },
      {
        id: `${taskId}:assistant`,
        role: 'assistant',
        ...args.assistant,
        createdAt: new Date(at.getTime() + 1),
      },
    ];
    await this.prisma.$transaction([
      ...turns.map((t) =>
        this.prisma.turn.upsert({
          where: { id: t.id },
          create: { ...t, ...thread, taskId },
          update: { content: t.content, tokens: t.tokens },
        }),
      ),
      // A thread a schedule fires into every minute for years keeps `keep` rows, not one per message
      // (the planner never reads more than THREAD_HISTORY_MAX_TURNS of them; replays keep the history
      // they planned with in their record).
      this.prisma.$executeRaw`
        DELETE FROM "Turn" WHERE "tenantId" = ${thread.tenantId} AND "userId" = ${thread.userId}
          AND "threadId" = ${thread.threadId} AND "id" NOT IN (
            SELECT "id" FROM "Turn" WHERE "tenantId" = ${thread.tenantId}
              AND "userId" = ${thread.userId} AND "threadId" = ${thread.threadId}
            ORDER BY "createdAt" DESC, "id" DESC LIMIT ${keep})`,
    ]);
  }
}
