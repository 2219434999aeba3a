import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, isDomainError } from '@switchboard/contracts';
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import { REQUEST_BACKOFF, retryWithBackoff } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { A2aEnv } from '../config/a2a.env.js';
import { A2aMetrics } from './a2a.metrics.js';

export type CircuitView = 'closed' | 'open' | 'half-open';

/**
 * Transient = the agent (or the bridge) could not take the call now; worth another try later — but
 * not by resending the message once the agent has created its task (`details.remoteTaskId`).
 */
export function isTransient(e: unknown): boolean {
  return (
    isDomainError(e) &&
    e.retryable &&
    (e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'TIMEOUT') &&
    e.details?.['remoteTaskId'] === undefined
  );
}

/** `details.component` of a failure to reach the platform's own XMPP bridge. */
export const BRIDGE_COMPONENT = 'xmpp-bridge';

/**
 * The platform's own XMPP bridge was out of reach — nobody served its subject, it fell silent, NATS
 * dropped — not the agent nor the agent's bridge: the agent is not to blame (its circuit breaker does
 * not count it) and the delegation waits for the bridge to come back (A2A_BRIDGE_WAIT_MS).
 */
export function isBridgeOutage(e: unknown): boolean {
  return isDomainError(e) && e.details?.['component'] === BRIDGE_COMPONENT;
}

/** A transient failure of the agent itself (or its bridge): retried a few times, counted by its breaker. */
function agentTrouble(e: unknown): boolean {
  return isTransient(e) && !isBridgeOutage(e);
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Retries with exponential backoff and full jitter, for transient failures only, inside a circuit
 * breaker per agent: `A2A_BREAKER_THRESHOLD` consecutive transient failures open it, and while open
 * calls fail at once (UPSTREAM_UNAVAILABLE) until one trial call after `A2A_BREAKER_HALF_OPEN_MS`.
 */
@Injectable()
export class AgentResilience {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: A2aEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: A2aMetrics,
  ) {}

  circuitOf(agent: string): CircuitView {
    const state = this.breakers.get(agent)?.state ?? CircuitState.Closed;
    return state === CircuitState.Open || state === CircuitState.Isolated
      ? 'open'
      : state === CircuitState.HalfOpen
        ? 'half-open'
        : 'closed';
  }

  /**
   * Runs `fn` under the agent's policies; `attempt` counts from 1. While the platform's bridge is out
   * of reach, `fn` runs again (after REQUEST_BACKOFF's waits) for up to A2A_BRIDGE_WAIT_MS from the
   * first such failure — outside the agent's retries and breaker.
   */
  async execute<T>(
    agent: string,
    fn: (attempt: number, signal: AbortSignal) => Promise<T>,
    opts: { signal: AbortSignal; onRetry: (notice: RetryNotice) => void },
  ): Promise<T> {
    let attempt = 0;
    let outageSince: number | undefined;
    return retryWithBackoff(
      () => this.underPolicies(agent, () => fn(++attempt, opts.signal), opts),
      {
        backoff: REQUEST_BACKOFF,
        retryIf: (e) => {
          if (!isBridgeOutage(e)) return false;
          outageSince ??= Date.now();
          return true;
        },
        until: () => (outageSince ?? Date.now()) + this.config.A2A_BRIDGE_WAIT_MS,
        signal: opts.signal,
        onRetry: (e, n, delayMs) =>
          opts.onRetry({
            attempt: n,
            delayMs,
            reason: ((e as Error).message ?? 'the XMPP bridge is out of reach').slice(0, 500),
          }),
      },
    );
  }

  /** The agent's own retries, inside its circuit breaker. */
  private async underPolicies<T>(
    agent: string,
    fn: () => Promise<T>,
    opts: { signal: AbortSignal; onRetry: (notice: RetryNotice) => void },
  ): Promise<T> {
    const retryPolicy = retry(handleWhen(agentTrouble), {
      maxAttempts: this.config.A2A_RETRY_MAX_ATTEMPTS - 1,
      backoff: new ExponentialBackoff({
        initialDelay: this.config.A2A_RETRY_BASE_MS,
        maxDelay: this.config.A2A_RETRY_MAX_MS,
        generator: fullJitterGenerator,
      }),
    });
    const listener = retryPolicy.onRetry((ev) => {
      this.metrics.retries.inc({ agent });
      const reason = 'error' in ev ? ev.error.message : 'unexpected result';
      opts.onRetry({
        attempt: ev.attempt,
        delayMs: Math.round(ev.delay),
        reason: reason.slice(0, 500),
      });
    });
    try {
      return await wrap(retryPolicy, this.breaker(agent)).execute(() => fn(), opts.signal);
    } catch (e) {
      if (e instanceof BrokenCircuitError) {
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `agent ${agent} is unavailable: its circuit breaker is open after repeated failures; retry later`,
          {
            details: { agent, circuit: 'open' },
          },
        );
      }
      throw e;
    } finally {
      listener.dispose();
    }
  }

  private breaker(agent: string): CircuitBreakerPolicy {
    let b = this.breakers.get(agent);
    if (!b) {
      b = circuitBreaker(handleWhen(agentTrouble), {
        halfOpenAfter: this.config.A2A_BREAKER_HALF_OPEN_MS,
        breaker: new ConsecutiveBreaker(this.config.A2A_BREAKER_THRESHOLD),
      });
      b.onBreak(() => {
        this.metrics.circuitOpen.set({ agent }, 1);
        this.logger.warn({ agent }, 'circuit breaker opened');
      });
      b.onHalfOpen(() =>
        this.logger.info({ agent }, 'circuit breaker half-open: letting one call through'),
      );
      b.onReset(() => {
        this.metrics.circuitOpen.set({ agent }, 0);
        this.logger.info({ agent }, 'circuit breaker closed');
      });
      this.breakers.set(agent, b);
    }
    return b;
  }
}
