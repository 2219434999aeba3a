import { Controller } from '@nestjs/common';
import { A2a } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { DelegateUseCase } from './delegate/delegate.use-case.js';

@Controller()
export class DelegationHandler {
  constructor(private readonly delegate: DelegateUseCase) {}

  @HandleCommand(A2a.Delegate)
  handle(input: A2a.DelegateRequest, meta: MessageMeta): Promise<A2a.DelegationResult> {
    return this.delegate.execute(input, meta.actor);
  }
}
