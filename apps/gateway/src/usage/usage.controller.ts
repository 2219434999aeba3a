import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { Actor, Tenancy } from '@switchboard/contracts';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { GetUsageUseCase } from './get-usage/get-usage.use-case.js';
import { UsageQuery } from './usage.schemas.js';

/** `GET /usage`: the caller's tenant's counters today, running tasks and quota (docs/quotas.md). */
@Controller('usage')
@UseGuards(AuthGuard)
export class UsageController {
  constructor(private readonly getUsage: GetUsageUseCase) {}

  @Get()
  get(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(UsageQuery)) q: UsageQuery,
  ): Promise<Tenancy.TenantUsage> {
    return this.getUsage.execute(actor, q.tenant);
  }
}
