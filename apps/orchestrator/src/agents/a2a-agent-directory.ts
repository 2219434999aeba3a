import { Inject, Injectable } from '@nestjs/common';
import { A2a, type Actor, isDomainError } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { LRUCache } from 'lru-cache';
import type { KnownAgent } from '../planning/planner.js';
import type { AgentDirectory } from './agent-directory.js';

/** How long one user's agent list is reused: long enough for a burst of tasks, short enough for policy changes. */
const LIST_TTL_MS = 5_000;
const LIST_TIMEOUT_MS = 3_000;

/**
 * The agents a user may delegate to, as the a2a service lists them (its per-role policy applied),
 * cached briefly per user and role. When the a2a service is unreachable the list is empty, so tasks
 * that need no agent still run; a task that names one is told the agent is not known.
 */
@Injectable()
export class A2aAgentDirectory implements AgentDirectory {
  private readonly cache = new LRUCache<string, KnownAgent[]>({ max: 10_000, ttl: LIST_TTL_MS });

  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(actor: Actor): Promise<KnownAgent[]> {
    const key = `${actor.userId}\u0000${actor.role}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    try {
      const { agents } = await this.bus.request(
        A2a.AgentsList,
        {},
        { actor, timeoutMs: LIST_TIMEOUT_MS },
      );
      const known = agents.map((a) => ({ name: a.name, description: a.description }));
      this.cache.set(key, known);
      return known;
    } catch (e) {
      if (isDomainError(e) && (e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'TIMEOUT')) {
        this.logger.warn(
          { code: e.code },
          'the a2a service did not list agents; planning without remote agents',
        );
        return [];
      }
      throw e;
    }
  }
}
