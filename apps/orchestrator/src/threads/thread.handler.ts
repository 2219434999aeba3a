import { Controller } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { AdmitToThreadUseCase } from './admit-to-thread/admit-to-thread.use-case.js';
import { ReleaseThreadUseCase } from './release-thread/release-thread.use-case.js';

/**
 * A thread's door for the gateway: admit a task before submitting it, withdraw one it could not
 * submit. The thread is always the acting user's own (from headers), in their tenant.
 */
@Controller()
export class ThreadHandler {
  constructor(
    private readonly admit: AdmitToThreadUseCase,
    private readonly release: ReleaseThreadUseCase,
  ) {}

  @HandleCommand(Tasks.ThreadAdmit)
  admitTask(req: Tasks.ThreadAdmitRequest, meta: MessageMeta): Promise<Tasks.ThreadAdmitResponse> {
    return this.admit.execute(req, requireActor(meta.actor));
  }

  @HandleCommand(Tasks.ThreadWithdraw)
  async withdraw(
    req: { taskId: string; threadId: string },
    meta: MessageMeta,
  ): Promise<{ taskId: string }> {
    const actor = requireActor(meta.actor);
    await this.release.execute({ taskId: req.taskId, actor, threadId: req.threadId });
    return { taskId: req.taskId };
  }
}
