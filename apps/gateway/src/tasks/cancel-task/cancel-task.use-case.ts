import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { TaskAccess } from '../task-access.js';

/** What a cancel request got: the task's status, and whether the cancel is still on its way. */
export interface CancelOutcome {
  taskId: string;
  status: Tasks.TaskStatus;
  /** False when the task had already ended: nothing was cancelled. */
  cancelRequested: boolean;
}

/**
 * Cancels a task (HTTP `POST /tasks/{id}/cancel`, A2A CancelTask): the orchestrator that holds it
 * stops it and its events end with `orchestrator.task.cancelled`. Only its owner or an admin may; a
 * task not picked up yet that this gateway saw the actor submit is cancelled too — the orchestrator
 * remembers the request and ends the task as cancelled when it is picked up.
 */
@Injectable()
export class CancelTaskUseCase {
  constructor(
    private readonly bus: NatsBus,
    private readonly access: TaskAccess,
  ) {}

  async execute(taskId: string, actor: Actor, reason: string): Promise<CancelOutcome> {
    const { status } = await this.request(taskId, actor, reason);
    return { taskId, status, cancelRequested: !Tasks.TERMINAL_TASK_STATUSES.includes(status) };
  }

  private async request(
    taskId: string,
    actor: Actor,
    reason: string,
  ): Promise<{ status: Tasks.TaskStatus }> {
    try {
      return await this.bus.request(Tasks.TaskCancel, { taskId, reason }, { actor });
    } catch (e) {
      if (
        e instanceof DomainError &&
        e.code === 'NOT_FOUND' &&
        (await this.access.ownedHere(taskId, actor))
      )
        return this.bus.request(Tasks.TaskCancel, { taskId, reason, whenQueued: true }, { actor });
      throw e;
    }
  }
}
