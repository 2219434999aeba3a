import {
  A2a,
  DomainError,
  type ErrorBody,
  errorBodyOf,
  isDomainError,
} from '@switchboard/contracts';
import { type NatsBus, retryRequest } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { BLOCKED_PLACEHOLDER } from '../tasks/ports/content-screen.port.js';
import { AGENT_STEP } from './agent-step.machine.js';
import {
  abortable,
  abortError,
  AgentInputRequired,
  BlockedStepOutput,
  type DispatchContext,
  screenedError,
} from './dispatch.context.js';

/** Room left for the a2a service to cancel the remote task and answer before our request times out. */
const REPLY_MARGIN_MS = 5_000;

/** What a delegation step returns (the planner reads `text`, as `{{steps.<id>.output.text}}`). */
export interface DelegationOutput {
  agent: string;
  text: string;
  state: string;
  transport: A2a.AgentTransport;
  remoteTaskId?: string;
  artifacts: A2a.DelegatedArtifact[];
}

/** What one delegation step asks of the agent. */
export interface DelegationPlan {
  stepId: string;
  agent: string;
  message: string;
  context: string | undefined;
  delegationId: string;
  idempotencyKey: string;
  /** The agent's task a crashed replica's delegation started, when the stored events say so. */
  remoteTaskId: string | undefined;
  /** The decided approval it runs under (a2a checks it when the agent has an approval policy). */
  approval?: A2a.DelegationApproval;
  /** A person's reply to the agent's question, sent on the agent's task that asked it. */
  continue?: A2a.DelegationContinue;
}

/**
 * One delegation step as it runs, phase by phase (AGENT_STEP, agent-step.machine.ts): the request to
 * a2a (sent again within the task's retry budget, attached to the same delegation), its progress
 * relayed as task events through the output guardrail, a cancel forwarded, and the answer checked.
 */
export class DelegationStep {
  private readonly phase = AGENT_STEP.start();
  /** How a2a reaches the agent, once it said: `a2a.delegation.started` goes out then, once. */
  private transport: A2a.AgentTransport | undefined;
  private remoteTaskId: string | undefined;
  /** Aborted by a guardrail hit on the agent's progress. */
  private readonly stop = new AbortController();
  /** The task's signal (cancel, timeout) or the guardrail's. */
  private readonly signal: AbortSignal;
  private readonly started = performance.now();

  constructor(
    private readonly bus: NatsBus,
    private readonly logger: Logger,
    private readonly ctx: DispatchContext,
    private readonly plan: DelegationPlan,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal]);
    this.remoteTaskId = plan.remoteTaskId;
  }

  /** The phases it went through, the current one last. */
  get phases(): readonly string[] {
    return this.phase.history;
  }

  async run(): Promise<DelegationOutput> {
    const { delegationId } = this.plan;
    const subscription = this.bus.subscribe(A2a.DelegationProgress, (u) => this.progress(u), {
      subject: A2a.DelegationProgress.subject(delegationId),
    });
    const onAbort = () => this.cancel();
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await subscription.ready;
      return this.answered(await abortable(this.request(), this.signal));
    } catch (caught) {
      throw this.failed(caught);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
    }
  }

  /** `waiting` → `cancelling` on the task's cancel; a guardrail's stop is already `muted`. */
  private cancel(): void {
    const { delegationId } = this.plan;
    if (this.ctx.signal.aborted && this.phase.can('cancelled')) this.phase.fire('cancelled');
    const reason = abortError(this.signal).message;
    this.bus.publish(A2a.DelegationCancel, [delegationId], {
      delegationId,
      reason: reason.slice(0, 500),
    });
  }

  /** The request to a2a under the retry policy of every NATS request, sent again with what is known. */
  private request(): Promise<A2a.DelegationResult> {
    const { ctx, plan } = this;
    const timeoutMs = Math.max(
      2 * REPLY_MARGIN_MS,
      Math.min(ctx.timeoutMs, A2a.Delegate.timeoutMs),
    );
    let sent = 0;
    return retryRequest(
      (attemptMs) =>
        this.bus.request(
          A2a.Delegate,
          {
            // A repeat, or the first request of a resumed task: a2a looks for the delegation first.
            ...(sent++ > 0 || ctx.resumed ? { repeat: true } : {}),
            delegationId: plan.delegationId,
            taskId: ctx.taskId,
            stepId: plan.stepId,
            agent: plan.agent,
            message: plan.message,
            ...(plan.context !== undefined ? { context: plan.context } : {}),
            timeoutMs: Math.max(100, attemptMs - REPLY_MARGIN_MS),
            idempotencyKey: plan.idempotencyKey,
            // A repeat carries the agent's task id once the progress told it.
            ...(this.remoteTaskId ? { remoteTaskId: this.remoteTaskId } : {}),
            ...(plan.approval ? { approval: plan.approval } : {}),
            ...(plan.continue ? { continue: plan.continue } : {}),
          },
          { actor: ctx.actor, timeoutMs: attemptMs, retry: false },
        ),
      {
        timeoutMs,
        repeatable: true,
        ...ctx.retry,
        signal: this.signal,
        onRetry: (e, attempt, delayMs) =>
          this.logger.warn(
            {
              taskId: ctx.taskId,
              stepId: plan.stepId,
              agent: plan.agent,
              attempt,
              delayMs,
              reason: e.message,
            },
            'delegation got no answer; asking again for the same delegation',
          ),
      },
    );
  }

  /** The placeholder when `text` is blocked (then `muted`: the delegation is stopped), else `text`. */
  private relayable(text: string): string {
    const blocked = this.ctx.screen(this.plan.stepId, text);
    if (!blocked) return text;
    if (this.phase.can('blocked')) this.phase.fire('blocked');
    this.stop.abort(blocked);
    return BLOCKED_PLACEHOLDER;
  }

  private ensureStarted(t: A2a.AgentTransport): void {
    if (this.transport) return;
    this.transport = t;
    const { stepId, agent, message } = this.plan;
    this.ctx.events.emit(
      'a2a.delegation.started',
      { stepId, agent, message, transport: t },
      `delegating to ${agent} over ${t === 'xmpp' ? 'XMPP' : 'HTTP'}`,
    );
    this.ctx.events.goLive();
  }

  /** Progress from a2a, relayed as task events (nothing more once `muted`). */
  private progress(u: A2a.DelegationUpdate): void {
    if (u.kind === 'status' && u.remoteTaskId) this.remoteTaskId ??= u.remoteTaskId;
    // Once the guardrail stopped it, late progress is not relayed (nor checked and reported again).
    if (this.stop.signal.aborted) return;
    this.ensureStarted(u.transport);
    const { stepId, agent } = this.plan;
    if (u.kind === 'status') {
      const text = u.text ? this.relayable(u.text) : undefined;
      this.ctx.events.emit(
        'a2a.delegation.status',
        {
          stepId,
          agent,
          state: u.state,
          transport: u.transport,
          ...(u.remoteTaskId ? { remoteTaskId: u.remoteTaskId } : {}),
          ...(text ? { text } : {}),
        },
        `${agent}: ${u.state}${text ? ` (${text})` : ''}`,
      );
    } else if (u.kind === 'retry') {
      // Not an A2A state: the platform's own retry of a transient failure, shown so it is not silent.
      const text = this.relayable(
        `attempt ${u.attempt} failed (${u.reason}); retrying in ${u.delayMs} ms`,
      );
      this.ctx.events.emit(
        'a2a.delegation.status',
        { stepId, agent, state: 'RETRYING', transport: u.transport, text },
        `${agent}: retrying after a transient failure`,
      );
    }
    // A delegation may take minutes with no commit of the task: its progress is shown as it comes.
    this.ctx.events.goLive();
  }

  /** → `answered`: the result event, then `completed` — or a throw that `failed` turns `rejected`. */
  private answered(result: A2a.DelegationResult): DelegationOutput {
    const { stepId, agent } = this.plan;
    this.ensureStarted(result.transport);
    const blocked = this.ctx.screen(stepId, { text: result.text, artifacts: result.artifacts });
    const remote = result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {};
    this.phase.fire('answered');
    this.ctx.events.emit(
      'a2a.delegation.result',
      {
        stepId,
        agent,
        state: result.state,
        text: blocked ? BLOCKED_PLACEHOLDER : result.text,
        artifacts: blocked ? [] : result.artifacts,
        transport: result.transport,
        durationMs: result.durationMs,
        ...remote,
      },
      `${agent} answered (${result.state})`,
    );
    if (blocked) throw new BlockedStepOutput(blocked);
    // The agent asks a question on its task: a person answers it, and the same task goes on.
    if (result.state === 'TASK_STATE_INPUT_REQUIRED' && result.remoteTaskId)
      throw new AgentInputRequired(agent, result.text, result.remoteTaskId);
    if (result.state !== 'TASK_STATE_COMPLETED')
      throw new DomainError(
        'UPSTREAM_ERROR',
        `${agent} ended its task as ${result.state}${result.text ? `: ${result.text.slice(0, 300)}` : ''}`,
        { details: { agent, state: result.state, ...remote } },
      );
    this.phase.fire('accepted');
    const { text, state, transport, artifacts } = result;
    return { agent, text, state, transport, ...remote, artifacts };
  }

  /** → `failed`: every started delegation gets a result event, also when it ended in an error. */
  private failed(caught: unknown): unknown {
    const { stepId, agent } = this.plan;
    const e = screenedError(this.ctx, stepId, caught);
    if (this.phase.state === 'answered') {
      this.phase.fire('rejected');
      return e;
    }
    if (this.phase.can('failed')) this.phase.fire('failed');
    if (this.transport) {
      const error = toBody(e, this.signal);
      this.ctx.events.emit(
        'a2a.delegation.result',
        {
          stepId,
          agent,
          state: error.code === 'CANCELLED' ? 'TASK_STATE_CANCELED' : error.code,
          text: error.message,
          artifacts: [],
          transport: this.transport,
          durationMs: performance.now() - this.started,
        },
        `${agent}: ${error.message}`,
      );
    }
    return e;
  }
}

function toBody(e: unknown, signal: AbortSignal): ErrorBody {
  if (signal.aborted && !isDomainError(e)) return abortError(signal).toBody();
  return errorBodyOf(e, 'the delegation failed unexpectedly');
}
