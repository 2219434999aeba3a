import { Controller } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ReleaseThreadUseCase } from './release-thread/release-thread.use-case.js';

/**
 * A thread's door for the gateway: withdraw a task it could not submit (admitting: ThreadRelay).
 * The thread is always the acting user's own (from headers), in their tenant.
 */
@Controller()
export class ThreadHandler {
  constructor(private readonly release: ReleaseThreadUseCase) {}

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
