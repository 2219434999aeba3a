import { Controller } from '@nestjs/common';
import { Evaluations, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ScoringRuleRepository } from './scoring-rule.repository.js';

/** Online scoring rules over NATS (docs/evaluations.md; creating one: EvaluationsRelay). */
@Controller()
export class OnlineScoringHandler {
  constructor(private readonly rules: ScoringRuleRepository) {}

  @HandleCommand(Evaluations.ScoringRuleList)
  async list(_req: unknown, meta: MessageMeta): Promise<{ rules: Evaluations.ScoringRuleView[] }> {
    const rules = await this.rules.list(tenantOf(requireActor(meta.actor)));
    return { rules: rules.map((r) => r.view) };
  }
}
