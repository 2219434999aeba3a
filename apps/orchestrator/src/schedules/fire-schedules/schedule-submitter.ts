import { Inject, Injectable } from '@nestjs/common';
import { type Actor, DEFAULT_TENANT, Tasks } from '@switchboard/contracts';
import { AuditTrail, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { type DueFiring, ScheduleRepository } from '../schedule.repository.js';

/**
 * Submits a firing's task as the gateway submits a user's: onto the durable submission stream, as its
 * schedule's owner in the schedule's tenant, with Nats-Msg-Id = the task id (derived from the
 * schedule and the due time), so a second publish of the same firing — a republish after a crash, two
 * replicas — is dropped by JetStream and, past its duplicate window, by the orchestrator's claim of the
 * task id. Audited as any submitted task (`task.submit`) plus the firing (`schedule.fire`), each once
 * per firing (the records' ids derive from it).
 */
@Injectable()
export class ScheduleSubmitter {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
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
}
