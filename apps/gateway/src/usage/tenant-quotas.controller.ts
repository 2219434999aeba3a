import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { type Actor, parseOrThrow, Tenancy } from '@switchboard/contracts';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { GetTenantQuotaUseCase } from './tenant-quota/get-tenant-quota.use-case.js';
import { SetTenantQuotaUseCase } from './tenant-quota/set-tenant-quota.use-case.js';
import { QuotaTenantParam } from './usage.schemas.js';

/** `/tenants/{tenant}/quotas`: read (admins, their tenant), set and remove (platform operator). */
@Controller('tenants')
@UseGuards(AuthGuard)
export class TenantQuotasController {
  constructor(
    private readonly getQuota: GetTenantQuotaUseCase,
    private readonly setQuota: SetTenantQuotaUseCase,
  ) {}

  @Get(':tenant/quotas')
  get(
    @CurrentActor() actor: Actor,
    @Param('tenant') tenant: string,
  ): Promise<Tenancy.TenantQuotaView> {
    return this.getQuota.execute(actor, tenantOf(tenant));
  }

  @Put(':tenant/quotas')
  put(
    @CurrentActor() actor: Actor,
    @Param('tenant') tenant: string,
    @Body() body: unknown,
  ): Promise<Tenancy.TenantQuotaView> {
    // The body is judged after the caller's right to set quotas (SetTenantQuotaUseCase).
    return this.setQuota.execute(actor, tenantOf(tenant), { body });
  }

  @Delete(':tenant/quotas')
  remove(
    @CurrentActor() actor: Actor,
    @Param('tenant') tenant: string,
  ): Promise<Tenancy.TenantQuotaView> {
    return this.setQuota.execute(actor, tenantOf(tenant), { remove: true });
  }
}

const tenantOf = (raw: string): string =>
  parseOrThrow(QuotaTenantParam, raw, 'path parameter tenant');
