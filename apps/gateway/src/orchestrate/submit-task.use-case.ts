import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { AuditTrail, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TaskOwners } from '../tasks/task-owners.js';
import { randomUUID } from 'node:crypto';

/** Puts a validated task on the durable submission stream (de-duplicated by task id) and audits it. */
@Injectable()
export class SubmitTaskUseCase {
  constructor(
    private readonly jetstream: JetStreamService,
    private readonly audit: AuditTrail,
    private readonly owners: TaskOwners,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  newTaskId(): string {
    return randomUUID();
  }

  async execute(
    taskId: string,
    actor: Actor,
    request: Tasks.TaskRequest,
    correlationId: string,
  ): Promise<void> {
    const submission: Tasks.TaskSubmission = {
      taskId,
      actor,
      request,
      submittedAt: new Date().toISOString(),
      correlationId,
    };
    // The owner is recorded alongside the submission: nobody learns the task id before both are
    // done, so the owner can attach to the task's events the moment it is accepted.
    await Promise.all([
      this.owners
        .remember(taskId, actor.userId)
        .catch((e: unknown) =>
          this.logger.warn({ err: e, taskId }, 'could not record the task owner'),
        ),
      this.jetstream.publish(Tasks.TaskSubmitted, [], submission, {
        msgId: taskId,
        actor,
        correlationId,
      }),
    ]);
    void this.audit.record({
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
      },
    });
  }
}
