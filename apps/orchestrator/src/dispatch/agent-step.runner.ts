import { Inject, Injectable } from '@nestjs/common';
import {
  A2a,
  DomainError,
  type ErrorBody,
  isDomainError,
  TaskEventStream,
  Tasks,
} from '@switchboard/contracts';
import { JetStreamService, NatsBus, retryRequest } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import { BLOCKED_PLACEHOLDER } from '../guardrails/guardrail.service.js';
import {
  abortable,
  abortError,
  BlockedStepOutput,
  type DispatchContext,
  screenedError,
} from './dispatch.context.js';

/** Room left for the a2a service to cancel the remote task and answer before our request times out. */
const REPLY_MARGIN_MS = 5_000;
const MAX_CONTEXT_CHARS = 32_000;

/** What a delegation step returns (the planner reads `text`, as `{{steps.<id>.output.text}}`). */
export interface DelegationOutput {
  agent: string;
  text: string;
  state: string;
  transport: A2a.AgentTransport;
  remoteTaskId?: string;
  artifacts: A2a.DelegatedArtifact[];
}

/**
 * Delegation steps: hands the action to a remote agent through the a2a service (`A2a.Delegate`) and
 * turns its progress (published on the delegation's own subject while the request runs) into
 * a2a.delegation.started/status/result events. Cancelling the task (or running out of time) is sent
 * to the a2a service, which forwards it to the agent as CancelTask.
 *
 * The delegation is keyed by task and step (its id derives from them): a request whose answer never
 * came — the a2a service fell silent (its heartbeats stopped), NATS dropped, nobody answered — is sent
 * again within the task's retry budget and is attached to the delegation already running (or answered
 * with its outcome), as is the request of a task resumed after a crash; with the agent's task id once
 * known, so an a2a replica that never saw the delegation follows that task instead of asking again.
 *
 * Everything the agent says passes the output guardrail before it is relayed: a blocked status text
 * is relayed as the placeholder and stops the delegation (the agent is told to cancel); a blocked
 * answer is relayed as the placeholder and fails the step.
 */
@Injectable()
export class AgentStepRunner {
  constructor(
    private readonly bus: NatsBus,
    private readonly jetstream: JetStreamService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // eslint-disable-next-line max-lines-per-function -- a state machine written as one closure; to become explicit states with transition tests (docs/architecture.md, Long functions)
  async run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<DelegationOutput> {
    const { message, context } = readInput(action, input);
    const stepId = action.id;
    const idempotencyKey = `${ctx.taskId}:${stepId}`;
    const delegationId = delegationIdOf(idempotencyKey);
    // Resumed after a crash: the agent's task the dead replica's delegation started, if it said so.
    let remoteTaskId = ctx.resumed ? await this.startedBefore(ctx.taskId, stepId) : undefined;
    const agent = action.target;
    const started = performance.now();
    let transport: A2a.AgentTransport | undefined;
    let answered = false;
    // Aborted by the task (cancel, timeout) or by a guardrail hit on the agent's progress.
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    /** The placeholder when `text` is blocked (then the delegation is stopped), else `text`. */
    const relayable = (text: string): string => {
      const blocked = ctx.screen(stepId, text);
      if (!blocked) return text;
      stop.abort(blocked);
      return BLOCKED_PLACEHOLDER;
    };
    const ensureStarted = (t: A2a.AgentTransport) => {
      if (transport) return;
      transport = t;
      ctx.events.emit(
        'a2a.delegation.started',
        { stepId, agent, message, transport: t },
        `delegating to ${agent} over ${t === 'xmpp' ? 'XMPP' : 'HTTP'}`,
      );
    };
    const onUpdate = (u: A2a.DelegationUpdate) => {
      if (u.kind === 'status' && u.remoteTaskId) remoteTaskId ??= u.remoteTaskId;
      // Once stopped, late progress is not relayed (nor checked and reported again).
      if (stop.signal.aborted) return;
      ensureStarted(u.transport);
      if (u.kind === 'status') {
        const text = u.text ? relayable(u.text) : undefined;
        ctx.events.emit(
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
        ctx.events.emit(
          'a2a.delegation.status',
          {
            stepId,
            agent,
            state: 'RETRYING',
            transport: u.transport,
            text: relayable(
              `attempt ${u.attempt} failed (${u.reason}); retrying in ${u.delayMs} ms`,
            ),
          },
          `${agent}: retrying after a transient failure`,
        );
      }
    };
    const subscription = this.bus.subscribe(A2a.DelegationProgress, onUpdate, {
      subject: A2a.DelegationProgress.subject(delegationId),
    });
    const onAbort = () => {
      const reason = abortError(signal).message;
      this.bus.publish(A2a.DelegationCancel, [delegationId], {
        delegationId,
        reason: reason.slice(0, 500),
      });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await subscription.ready;
      const timeoutMs = Math.max(
        2 * REPLY_MARGIN_MS,
        Math.min(ctx.timeoutMs, A2a.Delegate.timeoutMs),
      );
      // The retry policy of every NATS request, with the payload of each attempt: a repeat carries
      // the agent's task id once the progress told it.
      let sent = 0;
      const call = retryRequest(
        (attemptMs) =>
          this.bus.request(
            A2a.Delegate,
            {
              // A repeat, or the first request of a resumed task: a2a looks for the delegation first.
              ...(sent++ > 0 || ctx.resumed ? { repeat: true } : {}),
              delegationId,
              taskId: ctx.taskId,
              stepId,
              agent,
              message,
              ...(context !== undefined ? { context } : {}),
              timeoutMs: Math.max(100, attemptMs - REPLY_MARGIN_MS),
              idempotencyKey,
              ...(remoteTaskId ? { remoteTaskId } : {}),
            },
            { actor: ctx.actor, timeoutMs: attemptMs, retry: false },
          ),
        {
          timeoutMs,
          repeatable: true,
          ...ctx.retry,
          signal,
          onRetry: (e, attempt, delayMs) =>
            this.logger.warn(
              { taskId: ctx.taskId, stepId, agent, attempt, delayMs, reason: e.message },
              'delegation got no answer; asking again for the same delegation',
            ),
        },
      );
      const result = await abortable(call, signal);
      ensureStarted(result.transport);
      const blocked = ctx.screen(stepId, { text: result.text, artifacts: result.artifacts });
      const output: DelegationOutput = {
        agent,
        text: result.text,
        state: result.state,
        transport: result.transport,
        ...(result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {}),
        artifacts: result.artifacts,
      };
      answered = true;
      ctx.events.emit(
        'a2a.delegation.result',
        {
          stepId,
          agent,
          state: result.state,
          text: blocked ? BLOCKED_PLACEHOLDER : result.text,
          artifacts: blocked ? [] : result.artifacts,
          transport: result.transport,
          durationMs: result.durationMs,
          ...(result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {}),
        },
        `${agent} answered (${result.state})`,
      );
      if (blocked) throw new BlockedStepOutput(blocked);
      if (result.state !== 'TASK_STATE_COMPLETED') {
        throw new DomainError(
          'UPSTREAM_ERROR',
          `${agent} ended its task as ${result.state}${result.text ? `: ${result.text.slice(0, 300)}` : ''}`,
          {
            details: {
              agent,
              state: result.state,
              ...(result.remoteTaskId ? { remoteTaskId: result.remoteTaskId } : {}),
            },
          },
        );
      }
      return output;
    } catch (caught) {
      const e = screenedError(ctx, stepId, caught);
      // Every started delegation gets a result event, also when it ended in an error.
      if (transport && !answered) {
        const error = toBody(e, signal);
        ctx.events.emit(
          'a2a.delegation.result',
          {
            stepId,
            agent,
            state: error.code === 'CANCELLED' ? 'TASK_STATE_CANCELED' : error.code,
            text: error.message,
            artifacts: [],
            transport,
            durationMs: performance.now() - started,
          },
          `${agent}: ${error.message}`,
        );
      }
      throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
    }
  }

  /**
   * The agent's task of this step named by the task's last stored delegation status, when it is this
   * step's: the repeat then follows it even on an a2a replica that never saw the delegation. (Read on
   * a resume only: the task's stored events are read back, a few messages.)
   */
  private async startedBefore(taskId: string, stepId: string): Promise<string | undefined> {
    try {
      const { messages } = await this.jetstream.replay(
        TaskEventStream,
        Tasks.taskEventsFilter(taskId),
        { follow: false },
      );
      let remoteTaskId: string | undefined;
      for await (const m of messages) {
        const stored = Tasks.StoredTaskEvents.safeParse(m.data);
        if (!stored.success) continue;
        for (const e of Tasks.eventsOf(stored.data)) {
          if (e.name !== 'a2a.delegation.status') continue;
          remoteTaskId =
            e.data.stepId === stepId ? (e.data.remoteTaskId ?? remoteTaskId) : undefined;
        }
      }
      return remoteTaskId;
    } catch (e) {
      this.logger.warn(
        { err: e, taskId, stepId },
        'could not read the delegation status of the step',
      );
      return undefined;
    }
  }
}

/**
 * The delegation's id (it names its progress and cancel subjects), the same for every request of the
 * step — also after the task resumed elsewhere: a name-based UUID (RFC 9562, version 5 layout) of the
 * idempotency key.
 */
function delegationIdOf(key: string): string {
  const h = createHash('sha1').update(`switchboard delegation ${key}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readInput(
  action: Tasks.PlanAction,
  input: Record<string, unknown>,
): { message: string; context: string | undefined } {
  const message = input['message'];
  if (typeof message !== 'string' || message.trim() === '') {
    throw new DomainError(
      'VALIDATION',
      `delegation to ${action.target} needs input.message (a non-empty string)`,
    );
  }
  const raw = input['context'];
  const context =
    raw === undefined || raw === null
      ? undefined
      : typeof raw === 'string'
        ? raw
        : JSON.stringify(raw);
  return {
    message,
    context: context === undefined ? undefined : context.slice(0, MAX_CONTEXT_CHARS),
  };
}

function toBody(e: unknown, signal: AbortSignal): ErrorBody {
  if (isDomainError(e)) return e.toBody();
  if (signal.aborted) return abortError(signal).toBody();
  return { code: 'INTERNAL', message: 'the delegation failed unexpectedly', retryable: false };
}
