import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type A2a, type Actor, DomainError, isDomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { LRUCache } from 'lru-cache';
import type { A2aEnv } from '../config/a2a.env.js';
import { AgentResilience } from '../delegation/agent-resilience.js';
import {
  REMOTE_AGENT_PORT,
  type RemoteAgentPort,
  type RemoteCard,
  type RemoteConnection,
} from '../delegation/remote-agent.port.js';
import { AgentHttp } from '../transport/agent-http.service.js';
import { AgentAccess, type AgentRefusal } from './agent-access.js';
import type { ConfiguredAgent } from './agents.config.js';

/** A configured agent with its current card and an SDK client bound to it. */
export interface ResolvedAgent {
  agent: ConfiguredAgent;
  card: RemoteCard;
  connection: RemoteConnection;
  /** Where its JSON-RPC goes: through the bridge when that host is in SERVICE_MAP. */
  transport: A2a.AgentTransport;
}

/** After a failed revalidation, how long the last good card is used before the next attempt. */
const STALE_RETRY_MS = 30_000;

/** The registry's clock (tests inject one to expire cards without waiting). */
export const REGISTRY_CLOCK = Symbol.for('switchboard.a2a.registry-clock');

interface CachedCard {
  card: RemoteCard;
  connection: RemoteConnection;
  etag: string | undefined;
}

/**
 * The configured agents and their cards. A card is fetched on first use, kept for A2A_CARD_TTL_MS (or
 * the agent's shorter Cache-Control max-age), then revalidated with If-None-Match; if revalidation
 * fails the last good card keeps being used. Concurrent lookups share one fetch.
 */
@Injectable()
export class AgentRegistry {
  private readonly agents: ReadonlyMap<string, ConfiguredAgent>;
  private readonly cards: LRUCache<string, CachedCard>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: A2aEnv,
    @Inject(REMOTE_AGENT_PORT) private readonly port: RemoteAgentPort,
    private readonly http: AgentHttp,
    private readonly resilience: AgentResilience,
    private readonly access: AgentAccess,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(REGISTRY_CLOCK) clock?: { now(): number },
  ) {
    this.agents = new Map(config.A2A_AGENTS.map((a) => [a.name, a]));
    const ttl = Math.max(1, config.A2A_CARD_TTL_MS);
    this.cards = new LRUCache<string, CachedCard>({
      max: config.A2A_AGENTS_CACHE_MAX,
      ttl,
      ttlResolution: 0,
      ...(clock ? { perf: clock } : {}),
      fetchMethod: async (name, stale, { options }) => {
        const agent = this.require(name);
        let fetched;
        try {
          fetched = await this.port.fetchCard(agent.baseUrl, {
            agent: name,
            timeoutMs: config.A2A_CARD_TIMEOUT_MS,
            ...(stale?.etag ? { etag: stale.etag } : {}),
          });
        } catch (e) {
          if (!stale) throw e;
          // Revalidation failed: keep using the last good card, and try again soon.
          this.logger.warn(
            { agent: name, err: e },
            'agent card revalidation failed; using the cached card',
          );
          options.ttl = Math.min(ttl, STALE_RETRY_MS);
          return stale;
        }
        if (fetched.maxAgeMs !== undefined)
          options.ttl = Math.max(1, Math.min(ttl, fetched.maxAgeMs));
        if (fetched.kind === 'not-modified' && stale) return stale;
        if (fetched.kind === 'not-modified')
          throw new DomainError(
            'UPSTREAM_ERROR',
            `${name} answered 304 to a request without a validator`,
          );
        this.logger.info(
          { agent: name, card: fetched.card.name, protocolVersion: fetched.card.protocolVersion },
          'agent card loaded',
        );
        return { card: fetched.card, connection: fetched.connection, etag: fetched.etag };
      },
    });
  }

  names(): string[] {
    return [...this.agents.keys()];
  }

  require(name: string): ConfiguredAgent {
    const agent = this.agents.get(name);
    if (!agent) {
      throw new DomainError(
        'NOT_FOUND',
        `no agent named "${name}" is configured (known: ${this.names().join(', ') || 'none'})`,
        {
          details: { agent: name },
        },
      );
    }
    return agent;
  }

  /** Undefined when `actor` may delegate to `name` (its tenant has it, its role may), else why not. */
  refusal(actor: Actor, name: string): AgentRefusal | undefined {
    return this.access.refusal(actor, name);
  }

  /** The agent with a current card; fetching or revalidating it when due. */
  async resolve(name: string): Promise<ResolvedAgent> {
    const agent = this.require(name);
    let cached: CachedCard | undefined;
    try {
      cached = await this.cards.fetch(name);
    } catch (e) {
      if (isDomainError(e)) throw e;
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the agent card of ${name} could not be loaded: ${(e as Error).message}`,
      );
    }
    if (!cached)
      throw new DomainError('UPSTREAM_UNAVAILABLE', `the agent card of ${name} is not available`, {
        retryable: true,
      });
    return {
      agent,
      card: cached.card,
      connection: cached.connection,
      transport: this.http.transportOf(cached.card.interfaceUrl),
    };
  }

  /**
   * The agents `actor` may use (its tenant's and its role's), with their cards (unreachable ones listed as unavailable) and their
   * approval policies (the orchestrator's gate asks for a decision before delegating to them).
   */
  async list(actor: Actor): Promise<A2a.AgentSummary[]> {
    const allowed = [...this.agents.values()].filter((a) => this.access.mayUse(actor, a.name));
    return Promise.all(
      allowed.map(async (agent): Promise<A2a.AgentSummary> => {
        const circuit = this.resilience.circuitOf(agent.name);
        try {
          const { card, transport } = await this.resolve(agent.name);
          return {
            name: agent.name,
            description: card.description,
            baseUrl: agent.baseUrl,
            transport,
            protocolVersion: card.protocolVersion,
            skills: card.skills,
            available: circuit !== 'open',
            card: card.json,
            circuit,
            ...(circuit === 'open'
              ? { problem: 'circuit breaker open after repeated failures' }
              : {}),
            ...(agent.approval ? { approval: agent.approval } : {}),
          };
        } catch (e) {
          return {
            name: agent.name,
            description: `(card unavailable) ${agent.name}`,
            baseUrl: agent.baseUrl,
            transport: this.http.transportOf(agent.baseUrl),
            skills: [],
            available: false,
            circuit,
            problem: isDomainError(e) ? e.message : 'the agent card could not be loaded',
            // The orchestrator asks for approval whether or not the card can be read now.
            ...(agent.approval ? { approval: agent.approval } : {}),
          };
        }
      }),
    );
  }
}
