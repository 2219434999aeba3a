import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  type Evaluations,
  isAdmin,
  tenantOf,
} from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { ScoringRuleCopies } from '../scoring-rule.copies.js';
import { ScoringRuleRepository } from '../scoring-rule.repository.js';

/** Creates an online scoring rule in the caller's tenant: its admins' only. */
@Injectable()
export class CreateScoringRuleUseCase {
  constructor(
    private readonly rules: ScoringRuleRepository,
    private readonly copies: ScoringRuleCopies,
  ) {}

  async execute(
    body: Evaluations.ScoringRuleBody,
    actor: Actor,
  ): Promise<Evaluations.ScoringRuleView> {
    if (!isAdmin(actor))
      throw new DomainError('FORBIDDEN', 'only an admin of the tenant may add a scoring rule');
    const tenantId = tenantOf(actor);
    const view = await this.rules.create(randomUUID(), tenantId, body, actor.userId);
    if (!view)
      throw new DomainError('CONFLICT', `name: a scoring rule ${body.name} exists in this tenant`, {
        details: { issues: [{ path: 'name', message: 'taken in this tenant' }] },
      });
    this.copies.ruleChanged(tenantId);
    return view;
  }
}
