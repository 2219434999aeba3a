import { Tasks } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { ForgetRecalledUseCase } from './forget-recalled/forget-recalled.use-case.js';

/**
 * `sb.cmd.orchestrator.memory.forget-recalled`: forgetting that reaches run records
 * (docs/memory.md), the use case's whole work for the acting user.
 */
export class ForgetRecalledRelay extends CommandRelay(
  relay(Tasks.ForgetRecalled, ForgetRecalledUseCase),
) {}
