import { Controller } from '@nestjs/common';
import { isDomainError, Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { TaskCore } from '../tasks/index.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { DiffTasksUseCase } from './diff-tasks/diff-tasks.use-case.js';

/**
 * The comparison of two runs of a task, and a submitted run stored before its claim (docs/replay.md).
 * A thin adapter: the use case and the task store decide.
 */
@Controller()
export class RunsHandler {
  constructor(
    private readonly diff: DiffTasksUseCase,
    private readonly tasks: TaskCore,
    private readonly refusals: TenantRefusals,
  ) {}

  /**
   * A replay or fork the gateway submitted, stored `queued` with its origin before the gateway
   * answers: its first read names its parent and its run (TaskCore.enqueue checks the parent).
   */
  @HandleCommand(Tasks.RunEnqueue)
  async enqueue(
    req: Tasks.RunEnqueueRequest,
    meta: MessageMeta,
  ): Promise<{ taskId: string; stored: boolean }> {
    const stored = await this.tasks.enqueue({ ...req, actor: requireActor(meta.actor) });
    return { taskId: req.taskId, stored };
  }

  @HandleCommand(Tasks.TaskDiff)
  async compare(req: { a: string; b: string }, meta: MessageMeta): Promise<Tasks.TaskDiffView> {
    const actor = requireActor(meta.actor);
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
