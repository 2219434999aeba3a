import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import type { ThreadTurn } from '../planning/planner.js';

export interface StoredTurn extends ThreadTurn {
  taskId: string;
  tokens: number;
}

/** Conversation turns, per user and thread (a thread id only means something together with its user). */
@Injectable()
export class ThreadRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The newest turns first, other tasks only. */
  async recent(
    userId: string,
    threadId: string,
    excludeTaskId: string,
    limit: number,
  ): Promise<StoredTurn[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.turn.findMany({
      where: { userId, threadId, taskId: { not: excludeTaskId } },
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
    userId: string;
    threadId: string;
    taskId: string;
    user: { content: string; tokens: number };
    assistant: { content: string; tokens: number };
    at: Date;
  }): Promise<void> {
    const { userId, threadId, taskId, at } = args;
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
    await this.prisma.$transaction(
      turns.map((t) =>
        this.prisma.turn.upsert({
          where: { id: t.id },
          create: { ...t, userId, threadId, taskId },
          update: { content: t.content, tokens: t.tokens },
        }),
      ),
    );
  }
}
