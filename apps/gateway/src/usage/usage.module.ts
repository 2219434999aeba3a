import { Global, Module } from '@nestjs/common';
import { quotaProviders, TenantQuotasService } from '@switchboard/runtime';
import { QuotaMetrics } from '../limits/quota.metrics.js';
import { gatewayQuotaSettings } from '../limits/quota.settings.js';
import { TaskAdmission } from '../limits/task-admission.js';
import { GetUsageUseCase } from './get-usage/get-usage.use-case.js';
import { GetTenantQuotaUseCase } from './tenant-quota/get-tenant-quota.use-case.js';
import { SetTenantQuotaUseCase } from './tenant-quota/set-tenant-quota.use-case.js';
import { TenantQuotasController } from './tenant-quotas.controller.js';
import { UsageController } from './usage.controller.js';

/**
 * Tenant quotas (docs/quotas.md): the admission every task submission goes through (global, so the
 * task pipeline of every surface finds it), `GET /usage`, `/tenants/{tenant}/quotas` and the
 * sb_quota_* metrics.
 */
@Global()
@Module({
  controllers: [TenantQuotasController, UsageController],
  providers: [
    ...quotaProviders(gatewayQuotaSettings),
    GetTenantQuotaUseCase,
    GetUsageUseCase,
    QuotaMetrics,
    SetTenantQuotaUseCase,
    TaskAdmission,
  ],
  exports: [TenantQuotasService, TaskAdmission],
})
export class UsageModule {}
