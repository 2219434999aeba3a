import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { isDomainError, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import type {
  PlanningContext,
  PlanningContextProvider,
  PlanningContextRequest,
} from '../tasks/index.js';

type Settings = Pick<
  OrchestratorEnv,
  'MEMORY_RECALL' | 'MEMORY_RECALL_LIMIT' | 'MEMORY_RECALL_TIMEOUT_MS'
>;

/** A task that speaks of the user's own things: the only ones recall is asked for. */
const PERSONAL = /\b(?:my|mine|me|i)\b/i;

/**
 * Long-term memory's recall as a planning context provider (docs/memory.md): the memory store
 * (mcp-tools, `sb.cmd.tools.memory.search`) searched with the task's text, as the task's own user —
 * mcp-tools decides what that user may read. Asked only when the task was offered memory.recall
 * (the caller's role and the task's tool constraints apply to recall as to the tool) and speaks of
 * the user's own things ("my …"), so other tasks make no extra hop. Recall is context, not a step:
 * when the store does not answer in time the task is planned without it.
 */
@Injectable()
export class MemoryRecallProvider implements PlanningContextProvider {
  constructor(
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) private readonly settings: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async provide(request: PlanningContextRequest): Promise<PlanningContext> {
    if (!this.settings.MEMORY_RECALL || !request.offered.has('memory.recall')) return {};
    if (!PERSONAL.test(request.task)) return {};
    try {
      const { items } = await this.bus.request(
        Tools.MemorySearch,
        {
          query: request.task.slice(0, Tools.MEMORY_QUERY_MAX),
          limit: this.settings.MEMORY_RECALL_LIMIT,
          taskId: request.taskId,
        },
        { actor: request.actor, timeoutMs: this.settings.MEMORY_RECALL_TIMEOUT_MS, retry: false },
      );
      return items.length ? { recalled: items } : {};
    } catch (e) {
      if (!isDomainError(e)) throw e;
      this.logger.warn(
        { taskId: request.taskId, code: e.code, reason: e.message },
        'memory recall failed; planning without it',
      );
      return {};
    }
  }
}
