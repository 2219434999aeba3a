import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, TENANTS } from '@switchboard/config';
import { quotaProviders, redisProviders } from '@switchboard/runtime';
import { loadA2aTenants } from '../agents/agent-access.js';
import { A2aMetrics } from '../delegation/a2a.metrics.js';
import { A2A_REDIS } from '../quotas/a2a-redis.settings.js';

const shared = [
  A2aMetrics,
  ...quotaProviders(),
  ...redisProviders(A2A_REDIS),
  { provide: TENANTS, useFactory: loadA2aTenants, inject: [APP_CONFIG] },
];

/** What every a2a feature may inject (global): its metrics, Redis and the tenants' quotas and settings. */
@Global()
@Module({ providers: shared, exports: shared })
export class A2aCoreModule {}
