import { Controller, Inject } from '@nestjs/common';
import { DomainError, isAdmin, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ALL_TENANTS, scopeOf } from '../tenancy/tenant-scope.js';
import { START_GATE, type StartGate } from './ports/start-gate.port.js';
import { UNSCREENED } from './state/task-claim.store.js';
import { summaryText, TaskListRepository } from './task-list.repository.js';

/**
 * The task list: a user sees their own tasks; an admin everyone's of their tenant, or one user's; the
 * platform operator every tenant's, or one tenant's (`tenantId`). The tenant is the actor's, never the
 * request's: anyone else naming another tenant gets no tasks, as for a tenant without any.
 */
@Controller()
export class TaskListHandler {
  constructor(
    private readonly repository: TaskListRepository,
    @Inject(START_GATE) private readonly startGate: Pick<StartGate, 'waiting'>,
  ) {}

  @HandleCommand(Tasks.TaskList)
  async list(req: Tasks.TaskListRequest, meta: MessageMeta): Promise<Tasks.TaskListResponse> {
    const actor = requireActor(meta.actor);
    const admin = isAdmin(actor);
    if (!admin && req.userId !== undefined && req.userId !== actor.userId) {
      throw new DomainError('FORBIDDEN', "only admins may list another user's tasks");
    }
    const scope = scopeOf(actor);
    // undefined: every tenant's (the platform operator without a filter)
    const tenantId = scope === ALL_TENANTS ? req.tenantId : scope;
    if (req.tenantId !== undefined && req.tenantId !== tenantId) return { tasks: [] };
    const userId = admin ? req.userId : actor.userId;
    const { tenantId: _asked, ...filters } = req;
    const page = await this.repository.list({
      ...filters,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(userId !== undefined ? { userId } : {}),
    });
    const tasks = await Promise.all(page.tasks.map((t) => this.withWaitingText(t)));
    // Every row of a one-tenant list is in that tenant; a row that names its own keeps it.
    return {
      ...page,
      tasks:
        tenantId === undefined
          ? tasks
          : tasks.map((t) => ({ ...t, tenantId: t.tenantId ?? tenantId })),
    };
  }

  /** A task waiting for its thread (its row has no text until its claim): its submission's text. */
  private async withWaitingText(t: Tasks.TaskSummary): Promise<Tasks.TaskSummary> {
    if (t.status !== 'queued' || t.task !== UNSCREENED) return t;
    const waiting = await this.startGate.waiting(t.taskId);
    return waiting ? { ...t, task: summaryText(waiting.request.task) } : t;
  }
}
