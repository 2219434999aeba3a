import { tenantRuleCopies } from '../../tenancy/tenant-rule.copies.js';
import { ScoringRuleRepository } from './scoring-rule.repository.js';

/** Each tenant's online scoring rules, as every live task that ends needs them. */
export class ScoringRuleCopies extends tenantRuleCopies(
  'scoring-rules',
  ScoringRuleRepository,
  (rules, tenantId) => rules.list(tenantId),
) {}
