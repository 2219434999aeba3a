import { Inject, Injectable } from '@nestjs/common';
import { type Actor, DEFAULT_TENANT, DomainError, Tasks } from '@switchboard/contracts';
import { AuditTrail, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { AdmitToThreadUseCase } from '../../threads/admit-to-thread/admit-to-thread.use-case.js';
import { type DueFiring, ScheduleRepository } from '../schedule.repository.js';

/**
 * Submits a firing's task as the gateway submits a user's: onto the durable submission stream, as its
 * schedule's owner in the schedule's tenant, with Nats-Msg-Id = the task id (derived from the
 * schedule and the due time), so a second publish of the same firing — a republish after a crash, two
 * replicas — is dropped by JetStream and, past its duplicate window, by the orchestrator's claim of the
 * task id. Audited as any submitted task (`task.submit`) plus the firing (`schedule.fire`), each once
 * per firing (the records' ids derive from it). A firing into a thread is admitted into it first, as
 * a message through the gateway is, under the schedule's `threadPolicy` (absent:
 * THREAD_POLICY_DEFAULT): `reject` on a busy thread refuses the firing — recorded as
 * skipped, audited as refused, never submitted; `enqueue` waits; `interrupt`/`rollback` cancel the
 * running task. Admitting the same task again (a republish) answers the same.
 */
@Injectable()
export class ScheduleSubmitter {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly threads: AdmitToThreadUseCase,
  ) {}

  async submit(f: DueFiring): Promise<void> {
    const actor: Actor = {
      userId: f.userId,
      role: f.role,
      // As the gateway sends it: with tenancy off (the default tenant) the actor names none.
      ...(f.tenantId !== DEFAULT_TENANT ? { tenantId: f.tenantId } : {}),
    };
    const dueAt = f.dueAt.toISOString();
    const correlationId = `schedule:${f.scheduleId}:${dueAt}`;
    if (!(await this.admitted(f, actor, correlationId))) return;
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
      },
      { msgId: f.taskId, actor, correlationId },
    );
    await this.repository.markPublished(f.scheduleId, f.dueAt);
    this.logger.info(
      { scheduleId: f.scheduleId, taskId: f.taskId, dueAt, duplicate },
      'scheduled task submitted',
    );
    const who = { userId: f.userId, role: f.role };
    void this.audit.record({
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
  }

  /** False when the firing's thread refuses it (reject on a busy thread): then it is recorded so. */
  private async admitted(f: DueFiring, actor: Actor, correlationId: string): Promise<boolean> {
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
      await this.repository.markRefused(f.scheduleId, f.dueAt);
      const dueAt = f.dueAt.toISOString();
      this.logger.info(
        { scheduleId: f.scheduleId, taskId: f.taskId, dueAt, threadId },
        'scheduled task refused by its busy thread (thread_policy: reject)',
      );
      void this.audit.record({
        category: 'schedule',
        action: 'schedule.fire',
        outcome: 'denied',
        resource: f.scheduleId,
        tenantId: f.tenantId,
        actor: { userId: f.userId, role: f.role },
        correlationId,
        onceKey: `schedule-fire:${f.scheduleId}:${dueAt}`,
        details: { dueAt, reason: e.message, ...e.details },
      });
      return false;
    }
  }
}
