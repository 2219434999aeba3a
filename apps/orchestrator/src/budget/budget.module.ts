import { Module } from '@nestjs/common';
import { QuotasModule } from '../quotas/quotas.module.js';
import { TenantBudgetGate } from './tenant-budget.gate.js';
import { TenantBudget } from './tenant-budget.js';

/** Tenants' daily budgets (docs/quotas.md): the task core's round gate. */
@Module({
  imports: [QuotasModule],
  providers: [TenantBudget, TenantBudgetGate],
  exports: [TenantBudget, TenantBudgetGate],
})
export class BudgetModule {}
