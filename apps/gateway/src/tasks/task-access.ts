import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, isAdmin, sameTenant, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { TaskOwners } from './task-owners.js';

/**
 * Only a task's owner or an admin may read or cancel it (CancelTaskUseCase). The orchestrator decides (it answers NOT_FOUND
 * for someone else's task, so ids cannot be probed); the gateway's own record of who submitted the task
 * answers while the task is still queued, and for event streams while the orchestrator is unreachable
 * (the events live in JetStream, not in the orchestrator).
 */
@Injectable()
export class TaskAccess {
  constructor(
    private readonly bus: NatsBus,
    private readonly owners: TaskOwners,
  ) {}

  /** The stored view; undefined when the task is ours (or we are admin) but not picked up yet. */
  async view(taskId: string, actor: Actor): Promise<Tasks.TaskView | undefined> {
    try {
      return await this.bus.request(Tasks.TaskGet, { taskId }, { actor });
    } catch (e) {
      if (isCode(e, 'NOT_FOUND') && (await this.ownedHere(taskId, actor))) return undefined;
      throw e;
    }
  }

  /** Throws unless the actor may stream the task; returns its stored view when the orchestrator has one. */
  async ensureStreamable(taskId: string, actor: Actor): Promise<Tasks.TaskView | undefined> {
    try {
      return await this.bus.request(Tasks.TaskGet, { taskId }, { actor });
    } catch (e) {
      const fallback =
        isCode(e, 'NOT_FOUND') || isCode(e, 'UPSTREAM_UNAVAILABLE') || isCode(e, 'TIMEOUT');
      if (fallback && (await this.ownedHere(taskId, actor))) return undefined;
      throw e;
    }
  }

  /**
   * This gateway saw the actor (or, for an admin, anyone of the admin's tenant) submit the task. A
   * task of another tenant is nobody's here, as if it did not exist.
   */
  async ownedHere(taskId: string, actor: Actor): Promise<boolean> {
    const owner = await this.owners.ownerOf(taskId).catch(() => undefined);
    if (owner === undefined || !sameTenant(actor, owner.tenantId)) return false;
    return owner.userId === actor.userId || isAdmin(actor);
  }
}

function isCode(e: unknown, code: string): boolean {
  return e instanceof DomainError && e.code === code;
}
