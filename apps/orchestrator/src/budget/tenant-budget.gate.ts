import { Injectable } from '@nestjs/common';
import { type DomainError, type Tasks, Tenancy } from '@switchboard/contracts';
import type { RoundGate, TaskRunView } from '../tasks/index.js';
import { TenantBudget } from './tenant-budget.js';

/**
 * The tenant's daily budget as the task core's round gate (tasks/ports/round-gate.port.ts): a round
 * that asks a model is refused, and the round that takes the tenant or the user past a limit ends
 * the task, with BUDGET_EXCEEDED naming the quota (Tenancy.quotaExceededError).
 */
@Injectable()
export class TenantBudgetGate implements RoundGate {
  constructor(private readonly budget: TenantBudget) {}

  async refusal(run: TaskRunView): Promise<DomainError | undefined> {
    const refusal = await this.budget.refusal(run.submission.actor, run.retry);
    return refusal ? Tenancy.quotaExceededError(refusal) : undefined;
  }

  async charge(run: TaskRunView, usage: Tasks.TokenUsage): Promise<DomainError | undefined> {
    const { actor, taskId } = run.submission;
    const refusal = await this.budget.charge(actor, usage, taskId);
    return refusal ? Tenancy.quotaExceededError(refusal) : undefined;
  }
}
