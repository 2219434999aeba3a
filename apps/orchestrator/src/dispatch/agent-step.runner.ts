import { Inject, Injectable } from '@nestjs/common';
import { DomainError, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import { TaskJournalRepository } from '../tasks/journal/task-journal.repository.js';
import type { DispatchContext } from './dispatch.context.js';
import { type DelegationOutput, DelegationStep } from './delegation.step.js';

const MAX_CONTEXT_CHARS = 32_000;

export type { DelegationOutput } from './delegation.step.js';

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
    private readonly journal: TaskJournalRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<DelegationOutput> {
    const { message, context } = readInput(action, input);
    const stepId = action.id;
    const { approval } = ctx;
    const checked = approval ? { approval: { id: approval.id, argsHash: approval.argsHash } } : {};
    if (approval?.answer)
      return this.reply(action, { message, context }, ctx, {
        ...approval,
        answer: approval.answer,
      });
    const idempotencyKey = `${ctx.taskId}:${stepId}`;
    // Resumed after a crash: the agent's task the dead replica's delegation started, if it said so.
    // Not when it resumes on a decision: nothing was delegated before the task stopped for it (and
    // a crash since is covered by a2a's own record of the delegation).
    const remoteTaskId =
      ctx.resumed && !approval ? await this.startedBefore(ctx.taskId, stepId) : undefined;
    const step = new DelegationStep(this.bus, this.logger, ctx, {
      stepId,
      agent: action.target,
      message,
      context,
      delegationId: delegationIdOf(idempotencyKey),
      idempotencyKey,
      remoteTaskId,
      ...checked,
    });
    return step.run();
  }

  /**
   * The person's answer to the agent's question, sent on the agent's task that asked it as a
   * delegation of its own: keyed by the answer's approval, so it is sent once however often it is
   * asked for, and never starts a new remote task.
   */
  private reply(
    action: Tasks.PlanAction,
    asked: { message: string; context: string | undefined },
    ctx: DispatchContext,
    approval: NonNullable<DispatchContext['approval']> & {
      answer: { reply: string; remoteTaskId: string };
    },
  ): Promise<DelegationOutput> {
    const stepId = action.id;
    const { reply, remoteTaskId } = approval.answer;
    const idempotencyKey = `${ctx.taskId}:${stepId}:reply:${approval.id}`;
    const step = new DelegationStep(this.bus, this.logger, ctx, {
      stepId,
      agent: action.target,
      ...asked,
      delegationId: delegationIdOf(idempotencyKey),
      idempotencyKey,
      // Not followed: the reply must be sent (a2a's record of this delegation says if it was).
      remoteTaskId: undefined,
      approval: { id: approval.id, argsHash: approval.argsHash },
      continue: { remoteTaskId, reply },
    });
    return step.run();
  }

  /**
   * The agent's task of this step named by the task's last stored delegation status, when it is this
   * step's: the repeat then follows it even on an a2a replica that never saw the delegation. (Read on
   * a resume only: the task's journaled delegation statuses are read back.)
   */
  private async startedBefore(taskId: string, stepId: string): Promise<string | undefined> {
    try {
      let remoteTaskId: string | undefined;
      for (const e of await this.journal.named(taskId, 'a2a.delegation.status')) {
        if (e.name !== 'a2a.delegation.status') continue;
        remoteTaskId = e.data.stepId === stepId ? (e.data.remoteTaskId ?? remoteTaskId) : undefined;
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
