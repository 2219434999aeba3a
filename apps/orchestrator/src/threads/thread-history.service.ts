import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import { estimateTokens, type ThreadHistory, type ThreadOwner } from '../tasks/index.js';
import type { ThreadTurn } from '../planning/index.js';
import { ThreadRepository, type StoredTurn } from './thread.repository.js';

/**
 * A thread's memory: the turns of its earlier tasks, stored when each task ends and fed back to the
 * planner as history, newest first until THREAD_HISTORY_TOKENS (or THREAD_HISTORY_MAX_TURNS) is reached.
 * A thread keeps its newest THREAD_TURNS_KEPT turns (at least THREAD_HISTORY_MAX_TURNS).
 */
@Injectable()
export class ThreadHistoryService implements ThreadHistory {
  constructor(
    private readonly repository: ThreadRepository,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      OrchestratorEnv,
      'THREAD_HISTORY_TOKENS' | 'THREAD_HISTORY_MAX_TURNS' | 'THREAD_TURNS_KEPT'
    >,
  ) {}

  async load(
    owner: ThreadOwner,
    threadId: string | undefined,
    taskId: string,
  ): Promise<ThreadTurn[]> {
    if (!threadId || this.config.THREAD_HISTORY_TOKENS === 0) return [];
    const recent = await this.repository.recent(
      { tenantId: owner.tenantId, userId: owner.userId, threadId },
      taskId,
      this.config.THREAD_HISTORY_MAX_TURNS,
    );
    return fitHistory(recent, this.config.THREAD_HISTORY_TOKENS);
  }

  async record(args: {
    tenantId: string;
    userId: string;
    threadId: string | undefined;
    taskId: string;
    user: string;
    assistant: string;
  }): Promise<void> {
    if (!args.threadId) return;
    await this.repository.saveExchange({
      thread: { tenantId: args.tenantId, userId: args.userId, threadId: args.threadId },
      taskId: args.taskId,
      user: { content: args.user, tokens: estimateTokens(args.user) },
      assistant: { content: args.assistant, tokens: estimateTokens(args.assistant) },
      at: new Date(),
      // Never fewer than the planner reads.
      keep: Math.max(this.config.THREAD_TURNS_KEPT, this.config.THREAD_HISTORY_MAX_TURNS),
    });
  }
}

/**
 * Keeps the newest turns that fit the budget, oldest first. Whole exchanges only: a reply is never fed
 * back without the question it answered.
 */
export function fitHistory(newestFirst: readonly StoredTurn[], budget: number): ThreadTurn[] {
  const kept: StoredTurn[] = [];
  let used = 0;
  for (const turn of newestFirst) {
    if (used + turn.tokens > budget) break;
    used += turn.tokens;
    kept.push(turn);
  }
  const chronological = kept.reverse();
  // Dropped a question but kept its answer? Drop the orphaned answer too.
  while (chronological[0]?.role === 'assistant') chronological.shift();
  return chronological.map(({ role, content }) => ({ role, content }));
}
