import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { A2a, type Actor, DomainError, isDomainError } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger, withSpan } from '@switchboard/observability';
import { mayUseAgent } from '../agents/agent-policy.js';
import { AgentRegistry, type ResolvedAgent } from '../agents/agent-registry.service.js';
import type { A2aEnv } from '../config/a2a.env.js';
import { A2aMetrics } from './a2a.metrics.js';
import { AgentResilience } from './agent-resilience.js';
import { DelegationLedger } from './delegation-ledger.js';
import { DelegationRun } from './delegation-run.js';
import { REMOTE_AGENT_PORT, type RemoteAgentPort } from './remote-agent.port.js';
import { type DriveOutcome, RemoteTaskDriver } from './remote-task.driver.js';
import { RunningDelegations } from './running-delegations.js';

/**
 * Delegates one message to a remote agent: checks the caller's policy, resolves the agent's card,
 * follows the remote task (with retries and the circuit breaker around the attempts), reports
 * progress on the delegation's subject, forwards a cancellation as CancelTask, and audits the outcome.
 * A keyed repeat is attached to the delegation it repeats (DelegationLedger); a delegation this replica
 * does not know that names its remote task (the replica that ran it was lost) follows that task
 * instead of asking the agent again.
 */
@Injectable()
export class DelegateUseCase {
  private readonly driver: RemoteTaskDriver;

  constructor(
    @Inject(APP_CONFIG) private readonly config: A2aEnv,
    @Inject(REMOTE_AGENT_PORT) private readonly port: RemoteAgentPort,
    private readonly registry: AgentRegistry,
    private readonly resilience: AgentResilience,
    private readonly running: RunningDelegations,
    private readonly ledger: DelegationLedger,
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: A2aMetrics,
  ) {
    this.driver = new RemoteTaskDriver(port, {
      pollIntervalMs: config.A2A_POLL_INTERVAL_MS,
      maxPollFailures: config.A2A_RETRY_MAX_ATTEMPTS,
    });
  }

  /** The delegation is one span of the task's trace; each HTTP exchange with the agent hangs below. */
  execute(request: A2a.DelegateRequest, actor: Actor | undefined): Promise<A2a.DelegationResult> {
    if (!actor) throw new DomainError('UNAUTHORIZED', 'a delegation needs an acting user');
    const attributes = {
      'switchboard.agent': request.agent,
      'switchboard.delegation_id': request.delegationId,
      'switchboard.task_id': request.taskId,
      'switchboard.step_id': request.stepId,
    };
    const earlier = this.ledger.find(request, actor);
    if (earlier) {
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, delegationId: request.delegationId },
        'a repeated delegation request waits for the delegation it repeats',
      );
      return withSpan('a2a delegate (repeat)', attributes, () => earlier);
    }
    return this.repeatOrStart(request, actor, attributes);
  }

  /**
   * A repeat of a delegation another replica runs or ran: its recorded outcome, or — its replica gone
   * — carried on here, following the agent's task; anything else starts now.
   */
  private async repeatOrStart(
    request: A2a.DelegateRequest,
    actor: Actor,
    attributes: Record<string, string>,
  ): Promise<A2a.DelegationResult> {
    const recorded =
      request.repeat && request.idempotencyKey
        ? await this.ledger.recorded(request, actor, this.budgetOf(request))
        : ({ kind: 'none' } as const);
    if (recorded.kind === 'outcome') {
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, delegationId: request.delegationId },
        'a repeated delegation request is answered with the recorded outcome',
      );
      return withSpan('a2a delegate (repeat)', attributes, () => recorded.outcome);
    }
    const remoteTaskId =
      (recorded.kind === 'take-over' ? recorded.remoteTaskId : undefined) ?? request.remoteTaskId;
    const effective = remoteTaskId ? { ...request, remoteTaskId } : request;
    return this.ledger.start(
      effective,
      actor,
      () =>
        withSpan('a2a delegate', attributes, async (span) => {
          const result = await this.delegate(effective, actor);
          span.setAttributes({
            'switchboard.transport': result.transport,
            'switchboard.remote_state': result.state,
            'switchboard.attempts': result.attempts,
          });
          return result;
        }),
      () => this.running.remoteTaskOf(request.delegationId),
    );
  }

  /** The delegation's wall-time budget: what the caller asks for, capped by the configuration. */
  private budgetOf(request: A2a.DelegateRequest): number {
    return Math.min(
      request.timeoutMs ?? this.config.A2A_DELEGATION_TIMEOUT_MS,
      this.config.A2A_DELEGATION_TIMEOUT_MS,
    );
  }

  // eslint-disable-next-line max-lines-per-function -- a state machine written as one closure; to become explicit states with transition tests (docs/architecture.md, Long functions)
  private async delegate(
    request: A2a.DelegateRequest,
    actor: Actor,
  ): Promise<A2a.DelegationResult> {
    this.registry.require(request.agent);
    if (!mayUseAgent(this.config.A2A_AGENT_POLICY, actor, request.agent)) {
      void this.record(request, 'denied', { reason: 'policy' });
      throw new DomainError(
        'FORBIDDEN',
        `role "${actor.role}" may not delegate to agent "${request.agent}"`,
        {
          details: { agent: request.agent, role: actor.role },
        },
      );
    }
    const started = performance.now();
    const run = new DelegationRun(request.delegationId, request.taskId, request.agent);
    const budgetMs = this.budgetOf(request);
    const deadline = setTimeout(
      () =>
        run.cancel(
          new DomainError('TIMEOUT', `agent ${request.agent} did not finish within ${budgetMs} ms`),
        ),
      budgetMs,
    );
    this.running.start(run);
    if (request.remoteTaskId) {
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, remoteTaskId: request.remoteTaskId },
        'following the remote task of a delegation started elsewhere',
      );
    }
    let resolved: ResolvedAgent | undefined;
    let attempts = 0;
    try {
      const outcome = await this.resilience.execute(
        request.agent,
        async (attempt) => {
          attempts = attempt;
          resolved = await this.registry.resolve(request.agent);
          const mode = this.modeFor(resolved);
          if (attempt === 1) {
            this.progress({
              kind: 'started',
              delegationId: request.delegationId,
              agent: request.agent,
              transport: resolved.transport,
              protocolVersion: resolved.connection.protocolVersion,
              mode,
            });
          }
          const current = resolved;
          // Once the agent created its task (an earlier attempt, or elsewhere): follow it, never send
          // the message again.
          const follow = run.remoteTaskId ?? request.remoteTaskId;
          return this.driver
            .drive({
              connection: current.connection,
              mode,
              message: {
                messageId: request.delegationId,
                text: request.message,
                context: request.context,
              },
              ...(follow ? { follow } : {}),
              run,
              onStatus: (s) =>
                this.progress({
                  kind: 'status',
                  delegationId: request.delegationId,
                  agent: request.agent,
                  transport: current.transport,
                  state: s.state,
                  ...(s.remoteTaskId ? { remoteTaskId: s.remoteTaskId } : {}),
                  ...(s.text ? { text: s.text } : {}),
                }),
            })
            .then((o) => ({ outcome: o, mode, agent: current }));
        },
        {
          signal: run.signal,
          onRetry: (n) =>
            this.progress({
              kind: 'retry',
              delegationId: request.delegationId,
              agent: request.agent,
              transport: resolved?.transport ?? 'http',
              attempt: n.attempt,
              delayMs: n.delayMs,
              reason: n.reason,
            }),
        },
      );
      const result = this.resultOf(
        request,
        outcome.agent,
        outcome.mode,
        outcome.outcome,
        attempts,
        started,
      );
      this.observe(request.agent, result.transport, result.state, started);
      this.logger.info(
        {
          agent: request.agent,
          transport: result.transport,
          mode: result.mode,
          state: result.state,
          attempts,
          remoteTaskId: result.remoteTaskId,
          taskId: request.taskId,
          ms: Math.round(result.durationMs),
        },
        'delegation finished',
      );
      void this.record(request, result.state === 'TASK_STATE_COMPLETED' ? 'success' : 'failure', {
        state: result.state,
        transport: result.transport,
        attempts,
        ...(result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {}),
      });
      return result;
    } catch (e) {
      if (!isDomainError(e))
        this.logger.error(
          { err: e, agent: request.agent, taskId: request.taskId },
          'delegation failed unexpectedly',
        );
      const error = run.cancelled ? await this.forwardCancel(run, resolved) : toError(e);
      this.observe(request.agent, resolved?.transport ?? 'http', error.code, started);
      this.logger.info(
        {
          agent: request.agent,
          code: error.code,
          attempts,
          taskId: request.taskId,
          message: error.message,
        },
        'delegation failed',
      );
      void this.record(request, 'failure', {
        code: error.code,
        attempts,
        ...(run.remoteTaskId ? { remoteTaskId: run.remoteTaskId } : {}),
      });
      throw error;
    } finally {
      clearTimeout(deadline);
      this.running.finish(run);
      // Progress went out on the client connection, the reply leaves on the server's: flushing first
      // keeps the last update ahead of the reply.
      await this.bus.connection.flush().catch(() => undefined);
    }
  }

  /** Streams whenever the card allows it: the bridge carries a streamed response incrementally. */
  private modeFor(agent: ResolvedAgent): A2a.DelegationMode {
    const setting = this.config.A2A_STREAMING;
    const allowed = setting === 'auto' || (setting === 'http-only' && agent.transport === 'http');
    return allowed && agent.card.streaming ? 'stream' : 'poll';
  }

  /** The cancel reaches the agent as CancelTask when its task exists; the caller gets CANCELLED/TIMEOUT. */
  private async forwardCancel(
    run: DelegationRun,
    agent: ResolvedAgent | undefined,
  ): Promise<DomainError> {
    const reason = run.cancelled as DomainError;
    if (!run.remoteTaskId || !agent) return reason;
    try {
      const snapshot = await this.port.cancelTask(
        agent.connection,
        run.remoteTaskId,
        AbortSignal.timeout(this.config.A2A_CARD_TIMEOUT_MS),
      );
      this.logger.info(
        { agent: run.agent, remoteTaskId: run.remoteTaskId, state: snapshot.state },
        'CancelTask forwarded',
      );
      this.progress({
        kind: 'status',
        delegationId: run.delegationId,
        agent: run.agent,
        transport: agent.transport,
        state: snapshot.state,
        remoteTaskId: run.remoteTaskId,
        text: reason.message.slice(0, 2_000),
      });
    } catch (e) {
      this.logger.warn(
        { err: e, agent: run.agent, remoteTaskId: run.remoteTaskId },
        'CancelTask failed',
      );
    }
    return new DomainError(reason.code, reason.message, {
      details: { agent: run.agent, remoteTaskId: run.remoteTaskId },
    });
  }

  private resultOf(
    request: A2a.DelegateRequest,
    agent: ResolvedAgent,
    mode: A2a.DelegationMode,
    outcome: DriveOutcome,
    attempts: number,
    started: number,
  ): A2a.DelegationResult {
    return {
      delegationId: request.delegationId,
      agent: request.agent,
      transport: agent.transport,
      protocolVersion: agent.connection.protocolVersion,
      mode,
      state: outcome.state,
      ...(outcome.remoteTaskId ? { remoteTaskId: outcome.remoteTaskId } : {}),
      ...(outcome.contextId ? { contextId: outcome.contextId } : {}),
      text: outcome.text,
      artifacts: outcome.artifacts,
      attempts,
      durationMs: performance.now() - started,
    };
  }

  private observe(
    agent: string,
    transport: A2a.AgentTransport,
    outcome: string,
    started: number,
  ): void {
    this.metrics.delegations.inc({ agent, transport, outcome });
    this.metrics.delegationSeconds.observe(
      { agent, transport },
      (performance.now() - started) / 1000,
    );
  }

  private progress(update: A2a.DelegationUpdate): void {
    try {
      this.bus.publish(A2a.DelegationProgress, [update.delegationId], update);
    } catch (e) {
      this.logger.warn(
        { err: e, delegationId: update.delegationId },
        'could not publish delegation progress',
      );
    }
  }

  private record(
    request: A2a.DelegateRequest,
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      category: 'delegation',
      action: 'a2a.delegate',
      outcome,
      resource: request.agent,
      taskId: request.taskId,
      details: { delegationId: request.delegationId, stepId: request.stepId, ...details },
    });
  }
}

function toError(e: unknown): DomainError {
  return isDomainError(e) ? e : new DomainError('INTERNAL', 'the delegation failed unexpectedly');
}
