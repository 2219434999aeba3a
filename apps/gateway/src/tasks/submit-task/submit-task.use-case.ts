import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, type Audit, isDomainError, Tasks } from '@switchboard/contracts';
import {
  type AuditEvent,
  AuditTrail,
  JetStreamService,
  REQUEST_BACKOFF,
  retryWithBackoff,
} from '@switchboard/messaging';
import { LOGGER, type Logger, SpanKind, withSpan } from '@switchboard/observability';
import type { GatewayEnv } from '../../config/gateway.env.js';
import { GatewayMetrics } from '../../limits/gateway.metrics.js';
import type { StreamSlot } from '../../limits/stream-slots.js';
import { type AdmissionHolds, TaskAdmission } from '../../limits/task-admission.js';
import { AgentChoiceCheck } from './agent-choice.check.js';
import { WebhookTargetCheck } from './webhook-target.check.js';
import { ThreadAdmission, type ThreadPlace } from './thread-admission.js';
import { randomUUID } from 'node:crypto';

export interface SubmitOptions {
  /** A task that is one tool call (the MCP endpoint's calls that need approval). */
  call?: Tasks.TaskSubmission['call'] | undefined;
  /** A replay or fork of a recorded task (docs/replay.md). */
  run?: Tasks.RunOrigin | undefined;
  /** What the admission takes besides the quota slot: the request's rate charge, a stream slot. */
  holds?: AdmissionHolds | undefined;
  /** When it was submitted (default: now): a caller that stores more of the task names the same. */
  submittedAt?: string | undefined;
}

/**
 * Puts a validated task on the durable submission stream (de-duplicated by task id), counts, logs and
 * audits it: its `task.submit` record rides in the submission, and the orchestrator's claim journals it
 * with the task's first transition (docs/architecture.md, "The audit relay"), so a task stored costs
 * no message of its own on SB_AUDIT; a task refused here is never stored and has no such record. The submission carries the request's trace: the task's run continues it. A stream that
 * cannot take it at once (a leader election, a reconnection) is offered it again for SUBMIT_WAIT_MS:
 * the de-duplication makes that harmless. Every surface submits here, so this is where the tenant's
 * quotas admit the task first, with its owner record and what the caller holds (TaskAdmission, one
 * script: 429 naming the quota or the limit), and give its slots back when it could not be stored; and where a request's `webhook` is checked against the URL policy
 * (WebhookTargetCheck: 400 naming `webhook.url`) and its `agent` against the tenant's agents
 * (AgentChoiceCheck: 400 naming `agent.name`, `agent.version` or `agent.label`); and where a task that names a thread is admitted
 * into it by the orchestrator (ThreadAdmission: 409 naming the running task under `reject`).
 */
@Injectable()
export class SubmitTaskUseCase {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly audit: AuditTrail,
    private readonly metrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayEnv, 'SUBMIT_WAIT_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly admission: TaskAdmission,
    private readonly webhook: WebhookTargetCheck,
    private readonly thread: ThreadAdmission,
    private readonly agents: AgentChoiceCheck,
  ) {}

  newTaskId(): string {
    return randomUUID();
  }

  /** Submits the task; the stream slot its admission took when `opts.holds.slot` asked for one. */
  async execute(
    taskId: string,
    actor: Actor,
    request: Tasks.TaskRequest,
    correlationId: string,
    opts: SubmitOptions = {},
  ): Promise<StreamSlot | undefined> {
    const { call, run, holds, submittedAt = new Date().toISOString() } = opts;
    // A webhook the URL policy refuses is the request's error, before anything is admitted; its
    // check is work a user over the rate limit must not cause, so a charge left to the admission is
    // made first.
    if (request.webhook || request.agent) await holds?.rate?.settle();
    await this.webhook.check(request, actor);
    // An agent, version or label the tenant lacks: 400 naming the field (AgentChoiceCheck).
    await this.agents.check(request, actor, !!run);
    const submission: Tasks.TaskSubmission = {
      taskId,
      actor,
      request,
      submittedAt,
      correlationId,
      ...(call ? { call } : {}),
      ...(run ? { run } : {}),
    };
    // The owner is recorded by the admission, before the submission: nobody learns the task id
    // before both are done, so the owner can attach to the task's events the moment it is accepted.
    const { place, slot } = await this.admitAndStore(submission, actor, holds);
    this.metrics.tasksSubmitted.inc();
    this.logger.info(
      {
        taskId,
        userId: actor.userId,
        ...(request.tool_constraints ? { constraints: request.tool_constraints.mode } : {}),
        ...(request.thread_id ? { threadId: request.thread_id } : {}),
        ...(place ? { thread: place.decision, threadPolicy: place.policy } : {}),
        ...(request.webhook ? { webhookEvents: request.webhook.events } : {}),
      },
      'task submitted',
    );
    return slot;
  }

  /**
   * Admits the task against its tenant's quotas, then into its thread (last: an interrupt cancels the
   * running task, which only a task that will be stored may do), then stores it; a refusal or a
   * failed store gives back what was taken. A replay or fork runs beside its thread: never admitted.
   */
  private async admitAndStore(
    submission: Tasks.TaskSubmission,
    actor: Actor,
    holds: AdmissionHolds | undefined,
  ): Promise<{ place: ThreadPlace | undefined; slot: StreamSlot | undefined }> {
    const { taskId, request } = submission;
    const slot = await this.admission.admit(actor, taskId, holds);
    let place: ThreadPlace | undefined;
    let asked = false;
    try {
      asked = !submission.run;
      if (asked) place = await this.thread.admit(taskId, actor, request);
      // Built once its thread placement is known (the record names it), stored with the submission.
      // (`build` fills every field the contract defaults: actor, details.)
      const audit = this.audit.build(submitRecord(submission, place)) as Audit.AuditRecord;
      const audited: Tasks.TaskSubmission = { ...submission, audit };
      await withSpan(
        `jetstream publish ${Tasks.TaskSubmitted.template}`,
        {
          'messaging.system': 'nats',
          'messaging.destination.name': Tasks.TaskSubmitted.template,
          'messaging.operation.type': 'send',
          'switchboard.task_id': taskId,
        },
        () => this.store(audited, actor),
        { kind: SpanKind.PRODUCER },
      );
      return { place, slot };
    } catch (e) {
      // Given back before the refusal answers the client, who may submit again at once (neither
      // release throws).
      await Promise.all([slot?.release(), this.admission.release(actor, taskId)]);
      // Refused (reject): it holds no place. Anything else may have left one (a lost answer).
      const refused = !place && isDomainError(e) && e.code === 'CONFLICT';
      if (asked && !refused) void this.thread.withdraw(taskId, actor, request);
      throw e;
    }
  }

  private async store(submission: Tasks.TaskSubmission, actor: Actor): Promise<void> {
    const { taskId, correlationId } = submission;
    const until = Date.now() + this.config.SUBMIT_WAIT_MS;
    await retryWithBackoff(
      () =>
        this.jetstream.publish(Tasks.TaskSubmitted, [], submission, {
          msgId: taskId,
          actor,
          correlationId,
        }),
      {
        backoff: REQUEST_BACKOFF,
        retryIf: (e) => isDomainError(e) && e.retryable,
        until: () => until,
        onRetry: (e, attempt, delayMs) =>
          this.logger.warn(
            { taskId, attempt, delayMs, reason: (e as Error).message },
            'the submission stream did not take the task; offering it again',
          ),
      },
    );
  }
}

/** The submission's audit record, as the gateway has always written it (the thread's placement too). */
function submitRecord(
  submission: Tasks.TaskSubmission,
  place: ThreadPlace | undefined,
): AuditEvent {
  const { taskId, actor, request, run } = submission;
  return {
    category: 'request',
    action: 'task.submit',
    outcome: 'success',
    resource: taskId,
    taskId,
    actor: { userId: actor.userId, role: actor.role },
    details: {
      length: request.task.length,
      ...(request.tool_constraints ? { constraints: request.tool_constraints.mode } : {}),
      ...(request.thread_id ? { threadId: request.thread_id } : {}),
      ...(place
        ? {
            thread: place.decision,
            threadPolicy: place.policy,
            ...(place.runningTaskId ? { runningTaskId: place.runningTaskId } : {}),
          }
        : {}),
      ...(run
        ? { run: { kind: run.kind, of: run.of, ...(run.from ? { from: run.from } : {}) } }
        : {}),
    },
  };
}
