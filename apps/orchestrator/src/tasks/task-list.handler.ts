import { Controller } from '@nestjs/common';
import { DomainError, isAdmin, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { ALL_TENANTS, scopeOf } from '../tenancy/tenant-scope.js';
import { TaskListRepository } from './task-list.repository.js';

/**
 * The task list: a user sees their own tasks; an admin everyone's of their tenant, or one user's; the
 * platform operator every tenant's. The tenant is the actor's, never the request's.
 */
@Controller()
export class TaskListHandler {
  constructor(private readonly repository: TaskListRepository) {}

  @HandleCommand(Tasks.TaskList)
  async list(req: Tasks.TaskListRequest, meta: MessageMeta): Promise<Tasks.TaskListResponse> {
    const actor = meta.actor;
    if (!actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
    const admin = isAdmin(actor);
    if (!admin && req.userId !== undefined && req.userId !== actor.userId) {
      throw new DomainError('FORBIDDEN', "only admins may list another user's tasks");
    }
    const userId = admin ? req.userId : actor.userId;
    const scope = scopeOf(actor);
    return this.repository.list({
      ...req,
      ...(scope !== ALL_TENANTS ? { tenantId: scope } : {}),
      ...(userId !== undefined ? { userId } : {}),
    });
  }
}
