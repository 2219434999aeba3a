import { Controller } from '@nestjs/common';
import { type Actor, DomainError, isDomainError, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { TaskRepository } from '../tasks/task.repository.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { DiffTasksUseCase } from './diff-tasks/diff-tasks.use-case.js';

/** The comparison of two runs of a task (docs/replay.md). A thin adapter: the use case decides. */
@Controller()
export class RunsHandler {
  constructor(
    private readonly diff: DiffTasksUseCase,
    private readonly tasks: TaskRepository,
    private readonly refusals: TenantRefusals,
  ) {}

  @HandleCommand(Tasks.TaskDiff)
  async compare(req: { a: string; b: string }, meta: MessageMeta): Promise<Tasks.TaskDiffView> {
    if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
    const actor: Actor = meta.actor;
    try {
      return await this.diff.execute(req.a, req.b, actor);
    } catch (e) {
      // Another tenant's task is answered as a missing one; the attempt is audited in the caller's.
      if (isDomainError(e) && e.code === 'NOT_FOUND') {
        for (const taskId of [req.a, req.b])
          void this.refusals.ifElsewhere(actor, () => this.tasks.tenantOfTask(taskId), {
            category: 'auth',
            action: 'task.diff.denied',
            resource: taskId,
            taskId,
          });
      }
      throw e;
    }
  }
}
