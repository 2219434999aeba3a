import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import {
  type Actor,
  type Audit,
  DEFAULT_TENANT,
  DomainError,
  Tasks,
  Tenancy,
} from '@switchboard/contracts';
import { AuditTrail, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { TaskAdmission } from '../../quotas/task-admission.js';
import { AdmitToThreadUseCase } from '../../threads/admit-to-thread/admit-to-thread.use-case.js';
import { type DueFiring, ScheduleRepository } from '../schedule.repository.js';

/** What became of a firing: its task submitted, the firing skipped, or waiting for its tenant's quota. */
export type SubmitOutcome = 'submitted' | 'skipped' | 'waiting';

/**
 * Submits a firing's task as the gateway submits a user's: onto the durable submission stream, as its
 * schedule's owner in the schedule's tenant, with Nats-Msg-Id = the task id (derived from the
 * schedule and the due time), so a second publish of the same firing — a republish after a crash, two
 * replicas — is dropped by JetStream and, past its duplicate window, by the orchestrator's claim of the
 * task id. Audited as any submitted task (`task.submit`, in the submission: the claim journals it)
 * plus the firing (`schedule.fire`), each once per firing (the records' ids derive from it). A firing into a thread is admitted into it first, as
 * a message through the gateway is, under the schedule's `threadPolicy` (absent:
 * THREAD_POLICY_DEFAULT): `reject` on a busy thread refuses the firing — recorded as
 * skipped, audited as refused, never submitted; `enqueue` waits; `interrupt`/`rollback` cancel the
 * running task. Admitting the same task again (a republish) answers the same.
 *
 * Before that, the firing's task is admitted against its tenant's `concurrentTasks` and
 * `tasksPerMinute` (TaskAdmission: the gateway's counters), as a task submitted through the gateway
 * is. A firing a full quota refuses **waits**: it stays unpublished and is tried again at each tick
 * for SCHEDULE_MISFIRE_GRACE_MS from when it was fired (the same grace as a missed due time); then it
 * is recorded skipped, audited as a denied `schedule.fire` naming the quota, never submitted.
 */
@Injectable()
export class ScheduleSubmitter {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly threads: AdmitToThreadUseCase,
    private readonly admission: TaskAdmission,
    @Inject(APP_CONFIG)
    private readonly config: Pick<OrchestratorEnv, 'SCHEDULE_MISFIRE_GRACE_MS'>,
  ) {}

  /** `now`: the schedules' clock's time (ScheduleClock) of this submission. */
  async submit(f: DueFiring, now: Date): Promise<SubmitOutcome> {
    const actor: Actor = {
      userId: f.userId,
      role: f.role,
      // As the gateway sends it: with tenancy off (the default tenant) the actor names none.
      ...(f.tenantId !== DEFAULT_TENANT ? { tenantId: f.tenantId } : {}),
    };
    const dueAt = f.dueAt.toISOString();
    const correlationId = `schedule:${f.scheduleId}:${dueAt}`;
    const refusal = await this.admission.admit({ taskId: f.taskId, actor });
    if (refusal) return this.overQuota(f, refusal, now, correlationId);
    if (!(await this.admitted(f, actor, correlationId, now))) {
      await this.admission.release({ taskId: f.taskId, actor });
      return 'skipped';
    }
    const who = { userId: f.userId, role: f.role };
    // The task's `task.submit` record rides in the submission, journaled by its claim (as the
    // gateway's does): once per firing, its id derived from the task's.
    const audit = this.audit.build({
      category: 'request',
      action: 'task.submit',
      outcome: 'success',
      resource: f.taskId,
      taskId: f.taskId,
      tenantId: f.tenantId,
      actor: who,
      correlationId,
      onceKey: `schedule-task:${f.taskId}`,
      details: {
        length: f.request.task.length,
        scheduleId: f.scheduleId,
        ...(f.request.thread_id ? { threadId: f.request.thread_id } : {}),
      },
    });
    const { duplicate } = await this.jetstream.publish(
      Tasks.TaskSubmitted,
      [],
      {
        taskId: f.taskId,
        actor,
        request: f.request,
        submittedAt: f.firedAt.toISOString(),
        correlationId,
        scheduleId: f.scheduleId,
        // (`build` fills every field the contract defaults: actor, details.)
        audit: audit as Audit.AuditRecord,
      },
      { msgId: f.taskId, actor, correlationId },
    );
    await this.repository.markPublished(f.scheduleId, f.dueAt, now);
    this.logger.info(
      { scheduleId: f.scheduleId, taskId: f.taskId, dueAt, duplicate },
      'scheduled task submitted',
    );
    void this.audit.record({
      category: 'schedule',
      action: 'schedule.fire',
      outcome: 'success',
      resource: f.scheduleId,
      taskId: f.taskId,
      tenantId: f.tenantId,
      actor: who,
      correlationId,
      onceKey: `schedule-fire:${f.scheduleId}:${dueAt}`,
      details: { dueAt, firedAt: f.firedAt.toISOString() },
    });
    return 'submitted';
  }

  /** A full quota: the firing waits within the misfire grace, and is skipped past it. */
  private async overQuota(
    f: DueFiring,
    refusal: Tenancy.QuotaExceeded,
    now: Date,
    correlationId: string,
  ): Promise<SubmitOutcome> {
    const dueAt = f.dueAt.toISOString();
    // From when the firing was taken, not its due time: a catch-up (`latest`) firing is late already.
    const waited = now.getTime() - f.firedAt.getTime();
    const log = { scheduleId: f.scheduleId, taskId: f.taskId, dueAt, quota: refusal.quota };
    if (waited < this.config.SCHEDULE_MISFIRE_GRACE_MS) {
      this.logger.info(log, "scheduled task waits for its tenant's quota");
      return 'waiting';
    }
    await this.repository.markRefused(f.scheduleId, f.dueAt, now);
    this.logger.info(log, "scheduled task skipped: its tenant's quota stayed full past the grace");
    const error = Tenancy.quotaExceededError(refusal);
    this.auditRefused(f, correlationId, {
      reason: error.message,
      code: error.code,
      quota: refusal,
    });
    return 'skipped';
  }

  /** False when the firing's thread refuses it (reject on a busy thread): then it is recorded so. */
  private async admitted(
    f: DueFiring,
    actor: Actor,
    correlationId: string,
    now: Date,
  ): Promise<boolean> {
    const threadId = f.request.thread_id;
    if (!threadId) return true;
    try {
      await this.threads.execute(
        {
          taskId: f.taskId,
          threadId,
          ...(f.request.thread_policy ? { policy: f.request.thread_policy } : {}),
        },
        actor,
      );
      return true;
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'CONFLICT') throw e;
      await this.repository.markRefused(f.scheduleId, f.dueAt, now);
      const dueAt = f.dueAt.toISOString();
      this.logger.info(
        { scheduleId: f.scheduleId, taskId: f.taskId, dueAt, threadId },
        'scheduled task refused by its busy thread (thread_policy: reject)',
      );
      this.auditRefused(f, correlationId, { reason: e.message, ...e.details });
      return false;
    }
  }

  /** A firing refused for good (a busy thread, a quota past the grace): audited once per due time. */
  private auditRefused(
    f: DueFiring,
    correlationId: string,
    details: Record<string, unknown>,
  ): void {
    const dueAt = f.dueAt.toISOString();
    void this.audit.record({
      category: 'schedule',
      action: 'schedule.fire',
      outcome: 'denied',
      resource: f.scheduleId,
      tenantId: f.tenantId,
      actor: { userId: f.userId, role: f.role },
      correlationId,
      onceKey: `schedule-fire:${f.scheduleId}:${dueAt}`,
      details: { dueAt, ...details },
    });
  }
}
