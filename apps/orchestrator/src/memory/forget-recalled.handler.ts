import { Controller } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ForgetRecalledUseCase } from './forget-recalled/forget-recalled.use-case.js';

/** `sb.cmd.orchestrator.memory.forget-recalled`: forgetting that reaches run records (docs/memory.md). */
@Controller()
export class ForgetRecalledHandler {
  constructor(private readonly useCase: ForgetRecalledUseCase) {}

  @HandleCommand(Tasks.ForgetRecalled)
  forget(
    req: Tasks.ForgetRecalledRequest,
    meta: MessageMeta,
  ): Promise<Tasks.ForgetRecalledResponse> {
    return this.useCase.execute(req, requireActor(meta.actor));
  }
}
