import { Module } from '@nestjs/common';
import {
  OptionalRedis,
  quotaProviders,
  redisProviders,
  TenantQuotasService,
} from '@switchboard/runtime';
import { ORCHESTRATOR_REDIS } from './orchestrator-redis.settings.js';
import { TaskAdmission } from './task-admission.js';
import { TaskSlots } from './task-slots.js';

/**
 * Tenants' quotas (docs/quotas.md): admission, and the slot a task holds while it runs; on the tenant
 * quota counters the gateway admits tasks against (REDIS_KEY_PREFIX + `quota:`), read and written
 * here for what a task spends (tokensPerDay, costPerDayUsd) and for the running slot it holds
 * (concurrentTasks).
 */
@Module({
  providers: [...quotaProviders(), ...redisProviders(ORCHESTRATOR_REDIS), TaskAdmission, TaskSlots],
  exports: [OptionalRedis, TaskAdmission, TaskSlots, TenantQuotasService],
})
export class QuotasModule {}
