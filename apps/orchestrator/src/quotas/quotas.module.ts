import { Module } from '@nestjs/common';
import { OrchestratorQuotas } from './orchestrator-quotas.js';
import { OrchestratorRedis } from './orchestrator-redis.js';
import { TaskAdmission } from './task-admission.js';
import { TaskSlots } from './task-slots.js';

const providers = [OrchestratorQuotas, OrchestratorRedis, TaskAdmission, TaskSlots];

/** Tenants' quotas (docs/quotas.md): admission, and the slot a task holds while it runs. */
@Module({ providers, exports: providers })
export class QuotasModule {}
