import { Controller } from '@nestjs/common';
import { Evaluations, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { CreateScoringRuleUseCase } from './create-scoring-rule/create-scoring-rule.use-case.js';
import { ScoringRuleRepository } from './scoring-rule.repository.js';

/** Online scoring rules over NATS (docs/evaluations.md). Thin: the use case decides. */
@Controller()
export class OnlineScoringHandler {
  constructor(
    private readonly creating: CreateScoringRuleUseCase,
    private readonly rules: ScoringRuleRepository,
  ) {}

  @HandleCommand(Evaluations.ScoringRuleCreate)
  create(
    req: Evaluations.ScoringRuleBody,
    meta: MessageMeta,
  ): Promise<Evaluations.ScoringRuleView> {
    return this.creating.execute(req, requireActor(meta.actor));
  }

  @HandleCommand(Evaluations.ScoringRuleList)
  async list(_req: unknown, meta: MessageMeta): Promise<{ rules: Evaluations.ScoringRuleView[] }> {
    const rules = await this.rules.list(tenantOf(requireActor(meta.actor)));
    return { rules: rules.map((r) => r.view) };
  }
}
