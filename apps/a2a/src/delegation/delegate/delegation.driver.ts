import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { A2a, type Actor, DomainError, isDomainError, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { MachineInstance } from '@switchboard/contracts';
import { AgentRegistry, type ResolvedAgent } from '../../agents/agent-registry.service.js';
import type { A2aEnv } from '../../config/a2a.env.js';
import { AgentResilience, type RetryNotice } from '../agent-resilience.js';
import { DelegationReporter } from '../delegation.reporter.js';
import { DelegationRun } from '../delegation-run.js';
import {
  type OutgoingMessage,
  REMOTE_AGENT_PORT,
  type RemoteAgentPort,
} from '../remote-agent.port.js';
import { type DriveOutcome, RemoteTaskDriver, type StatusNotice } from '../remote-task.driver.js';
import { PushInbox, type PushWaiter } from '../push-inbox.js';
import { RunningDelegations } from '../running-delegations.js';
import { DELEGATION, type DelegationPhase, type DelegationTrigger } from './delegation.machine.js';

/** The delegation's wall-time budget: what the caller asks for, capped by the configuration. */
export function delegationBudget(config: A2aEnv, request: A2a.DelegateRequest): number {
  return Math.min(
    request.timeoutMs ?? config.A2A_DELEGATION_TIMEOUT_MS,
    config.A2A_DELEGATION_TIMEOUT_MS,
  );
}

/** One delegation as it runs: its request, its phase, and what its attempts found. */
interface Delegation {
  request: A2a.DelegateRequest;
  run: DelegationRun;
  phase: MachineInstance<DelegationPhase, DelegationTrigger>;
  started: number;
  attempts: number;
  agent?: ResolvedAgent;
  /** Push mode: the delegation's mailbox, opened by its first push attempt, closed at its end. */
  push?: PushWaiter;
}

/**
 * Drives one delegation through its phases (DELEGATION, delegation.machine.ts): the caller's policy,
 * attempts under the retries and circuit breaker of AgentResilience, each sending the message or
 * following the agent's task once it is known, progress on the delegation's subject, a cancel or the
 * deadline forwarded as CancelTask, and the outcome audited.
 */
@Injectable()
export class DelegationDriver {
  private readonly remote: RemoteTaskDriver;

  constructor(
    @Inject(APP_CONFIG) private readonly config: A2aEnv,
    @Inject(REMOTE_AGENT_PORT) private readonly port: RemoteAgentPort,
    private readonly registry: AgentRegistry,
    private readonly resilience: AgentResilience,
    private readonly running: RunningDelegations,
    private readonly reporter: DelegationReporter,
    private readonly pushInbox: PushInbox,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.remote = new RemoteTaskDriver(port, {
      pollIntervalMs: config.A2A_POLL_INTERVAL_MS,
      maxPollFailures: config.A2A_RETRY_MAX_ATTEMPTS,
      pushSafetyPollMs: pushInbox.safetyPollMs,
    });
  }

  async delegate(request: A2a.DelegateRequest, actor: Actor): Promise<A2a.DelegationResult> {
    const d: Delegation = {
      request,
      run: new DelegationRun(request.delegationId, request.taskId, request.agent, tenantOf(actor)),
      phase: DELEGATION.start(),
      started: performance.now(),
      attempts: 0,
    };
    this.authorize(d, actor);
    const budgetMs = delegationBudget(this.config, request);
    const deadline = setTimeout(
      () =>
        d.run.cancel(
          new DomainError('TIMEOUT', `agent ${request.agent} did not finish within ${budgetMs} ms`),
        ),
      budgetMs,
    );
    this.running.start(d.run);
    if (request.remoteTaskId)
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, remoteTaskId: request.remoteTaskId },
        'following the remote task of a delegation started elsewhere',
      );
    try {
      const outcome = await this.resilience.execute(request.agent, (n) => this.attempt(d, n), {
        signal: d.run.signal,
        onRetry: (notice) => this.retrying(d, notice),
      });
      return this.answered(d, outcome);
    } catch (e) {
      throw await this.failed(d, e);
    } finally {
      clearTimeout(deadline);
      d.push?.close();
      this.running.finish(d.run);
      await this.reporter.flush();
    }
  }

  /**
   * `requested` → `denied` when the caller's tenant does not have the agent or its role may not use it
   * (an unknown agent fails).
   */
  private authorize(d: Delegation, actor: Actor): void {
    const { request } = d;
    try {
      this.registry.require(request.agent);
    } catch (e) {
      d.phase.fire('failed');
      throw e;
    }
    const refusal = this.registry.refusal(actor, request.agent);
    if (!refusal) return;
    d.phase.fire('denied');
    this.reporter.record(request, 'denied', { reason: refusal });
    throw new DomainError(
      'FORBIDDEN',
      refusal === 'tenant'
        ? `agent "${request.agent}" is not enabled for tenant ${tenantOf(actor)}`
        : `role "${actor.role}" may not delegate to agent "${request.agent}"`,
      { details: { agent: request.agent, role: actor.role, reason: refusal } },
    );
  }

  /** One attempt: `sending` the message, or `following` the agent's task once it is known. */
  private async attempt(
    d: Delegation,
    attempt: number,
  ): Promise<{ outcome: DriveOutcome; mode: A2a.DelegationMode; agent: ResolvedAgent }> {
    const { request, run } = d;
    // Once the agent created its task (an earlier attempt, or elsewhere): follow it, never send again.
    const follow = run.remoteTaskId ?? request.remoteTaskId;
    if (d.phase.can('retry')) d.phase.fire('retry'); // a retry the policies did not announce
    d.phase.fire(follow ? 'follow' : 'send');
    d.attempts = attempt;
    const agent = await this.registry.resolve(request.agent);
    d.agent = agent;
    const mode = this.modeFor(agent, follow !== undefined);
    if (mode === 'push') d.push ??= await this.pushInbox.open(run);
    if (attempt === 1)
      this.reporter.progress({
        kind: 'started',
        delegationId: request.delegationId,
        agent: request.agent,
        transport: agent.transport,
        protocolVersion: agent.connection.protocolVersion,
        mode,
      });
    const outcome = await this.remote.drive({
      connection: agent.connection,
      mode,
      message: outgoing(request),
      ...(follow ? { follow } : {}),
      ...(mode === 'push' && d.push ? { push: d.push } : {}),
      run,
      onStatus: (s) => this.status(d, agent, s),
    });
    return { outcome, mode, agent };
  }

  /** The agent's task moved: progress, and `sending` → `following` once it is named. */
  private status(d: Delegation, agent: ResolvedAgent, s: StatusNotice): void {
    if (s.remoteTaskId && d.phase.can('remote-task')) d.phase.fire('remote-task');
    this.reporter.progress({
      kind: 'status',
      delegationId: d.request.delegationId,
      agent: d.request.agent,
      transport: agent.transport,
      state: s.state,
      ...(s.remoteTaskId ? { remoteTaskId: s.remoteTaskId } : {}),
      ...(s.text ? { text: s.text } : {}),
    });
  }

  /** `sending` / `following` → `waiting`: the next attempt waits its backoff. */
  private retrying(d: Delegation, n: RetryNotice): void {
    if (d.phase.can('retry')) d.phase.fire('retry');
    this.reporter.progress({
      kind: 'retry',
      delegationId: d.request.delegationId,
      agent: d.request.agent,
      transport: d.agent?.transport ?? 'http',
      attempt: n.attempt,
      delayMs: n.delayMs,
      reason: n.reason,
    });
  }

  /** → `answered`: the result, whatever state the agent's task ended in. */
  private answered(
    d: Delegation,
    done: { outcome: DriveOutcome; mode: A2a.DelegationMode; agent: ResolvedAgent },
  ): A2a.DelegationResult {
    d.phase.fire('answered');
    const { request, attempts } = d;
    const result = resultOf(request, done.agent, done.mode, done.outcome, attempts, d.started);
    this.reporter.observe(request.agent, result.transport, result.state, d.started);
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
        phases: d.phase.history.join(' → '),
      },
      'delegation finished',
    );
    this.reporter.record(request, result.state === 'TASK_STATE_COMPLETED' ? 'success' : 'failure', {
      state: result.state,
      transport: result.transport,
      attempts,
      ...(result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {}),
    });
    return result;
  }

  /** → `failed`, or `cancelling` → `cancelled` with CancelTask forwarded: the error to throw. */
  private async failed(d: Delegation, e: unknown): Promise<DomainError> {
    const { request, run, attempts } = d;
    if (!isDomainError(e))
      this.logger.error(
        { err: e, agent: request.agent, taskId: request.taskId },
        'delegation failed unexpectedly',
      );
    let error: DomainError;
    if (d.phase.isFinal) error = toError(e);
    else if (run.cancelled) {
      d.phase.fire('cancelled');
      error = await this.forwardCancel(run, d.agent);
      d.phase.fire('cancel-forwarded');
    } else {
      d.phase.fire('failed');
      error = toError(e);
    }
    this.reporter.observe(request.agent, d.agent?.transport ?? 'http', error.code, d.started);
    this.logger.info(
      {
        agent: request.agent,
        code: error.code,
        attempts,
        taskId: request.taskId,
        message: error.message,
        phases: d.phase.history.join(' → '),
      },
      'delegation failed',
    );
    this.reporter.record(request, 'failure', {
      code: error.code,
      attempts,
      ...(run.remoteTaskId ? { remoteTaskId: run.remoteTaskId } : {}),
    });
    return error;
  }

  /**
   * Push when the agent offers push notifications and the platform has a public callback (a new
   * task only: a task followed from elsewhere was registered with another replica's token); else
   * streams whenever the card allows it (the bridge carries a streamed response incrementally).
   */
  private modeFor(agent: ResolvedAgent, following: boolean): A2a.DelegationMode {
    if (this.pushInbox.enabled && agent.card.pushNotifications && !following) return 'push';
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
      this.reporter.progress({
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
}

function resultOf(
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

/** What the agent is sent: the message (and context) on a new task, or the reply on its own task. */
function outgoing(request: A2a.DelegateRequest): OutgoingMessage {
  const { delegationId: messageId, continue: answer } = request;
  if (!answer) return { messageId, text: request.message, context: request.context };
  return {
    messageId,
    text: answer.reply,
    context: undefined,
    onTask: { taskId: answer.remoteTaskId, contextId: answer.contextId ?? '' },
  };
}

function toError(e: unknown): DomainError {
  return isDomainError(e) ? e : new DomainError('INTERNAL', 'the delegation failed unexpectedly');
}
