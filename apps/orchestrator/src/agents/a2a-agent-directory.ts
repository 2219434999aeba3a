import { Inject, Injectable } from '@nestjs/common';
import { A2a, type Actor, isDomainError, tenantOf } from '@switchboard/contracts';
import { NatsBus, type RetryBudget } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { LRUCache } from 'lru-cache';
import type { AgentDirectory, AgentList, DirectoryAgent } from '../tasks/index.js';

/** How long one user's agent list is reused: long enough for a burst of tasks, short enough for policy changes. */
const LIST_TTL_MS = 5_000;
const LIST_TIMEOUT_MS = 3_000;

/**
 * The agents a user may delegate to, as the a2a service lists them (its per-role policy applied),
 * with their approval policies, cached briefly per tenant, user and role. When the service cannot be asked the list is empty at once and
 * says why — tasks that need no agent do not wait for a service they do not use (nor does a platform
 * that runs without it) — and a task that names an agent waits for the service (`wait`: retried
 * within the task's budget), then fails as temporarily unavailable rather than as an unknown agent.
 */
@Injectable()
export class A2aAgentDirectory implements AgentDirectory {
  private readonly cache = new LRUCache<string, DirectoryAgent[]>({
    max: 10_000,
    ttl: LIST_TTL_MS,
  });

  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(actor: Actor, wait?: RetryBudget): Promise<AgentList> {
    // A user id names someone within their tenant only (and a2a may list per tenant).
    const key = `${tenantOf(actor)}\u0000${actor.userId}\u0000${actor.role}`;
    const cached = this.cache.get(key);
    if (cached) return { agents: cached };
    try {
      const { agents } = await this.bus.request(
        A2a.AgentsList,
        {},
        // Without a budget: asked once (no responders fails at once).
        wait
          ? { actor, timeoutMs: LIST_TIMEOUT_MS, ...wait }
          : { actor, timeoutMs: LIST_TIMEOUT_MS, retry: false },
      );
      const known = agents.map((a): DirectoryAgent => ({
        name: a.name,
        description: a.description,
        ...(a.approval ? { approval: a.approval } : {}),
      }));
      this.cache.set(key, known);
      return { agents: known };
    } catch (e) {
      if (isDomainError(e) && (e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'TIMEOUT')) {
        this.logger.warn(
          { code: e.code, reason: e.message },
          'the a2a service did not list agents; planning without remote agents',
        );
        return { agents: [], unavailable: e };
      }
      throw e;
    }
  }
}
