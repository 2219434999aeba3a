import { Module } from '@nestjs/common';
import { APP_CONFIG, TENANTS } from '@switchboard/config';
import { quotaProviders, redisProviders } from '@switchboard/runtime';
import { A2aRemoteClient } from './a2a/a2a-remote.client.js';
import { AgentAccess, loadA2aTenants } from './agents/agent-access.js';
import { AgentRegistry } from './agents/agent-registry.service.js';
import { AgentsHandler } from './agents/agents.handler.js';
import { A2aMetrics } from './delegation/a2a.metrics.js';
import { AgentResilience } from './delegation/agent-resilience.js';
import { DelegationApprovalChecker } from './delegation/delegation-approval.checker.js';
import { DelegationLedger } from './delegation/delegation-ledger.js';
import { DelegateUseCase } from './delegation/delegate/delegate.use-case.js';
import { DelegationDriver } from './delegation/delegate/delegation.driver.js';
import { DelegationReporter } from './delegation/delegation.reporter.js';
import { DelegationHandler } from './delegation/delegation.handler.js';
import { REMOTE_AGENT_PORT } from './delegation/remote-agent.port.js';
import { PushInbox } from './delegation/push-inbox.js';
import { RunningDelegations } from './delegation/running-delegations.js';
import { A2A_REDIS } from './quotas/a2a-redis.settings.js';
import { DelegationQuota } from './quotas/delegation.quota.js';
import { AgentHttp } from './transport/agent-http.service.js';

/** Remote agent registry (cards), delegation with retries and circuit breaking, per-role policy. */
@Module({
  controllers: [AgentsHandler, DelegationHandler],
  providers: [
    A2aMetrics,
    ...quotaProviders(),
    ...redisProviders(A2A_REDIS),
    AgentAccess,
    AgentHttp,
    AgentRegistry,
    AgentResilience,
    DelegateUseCase,
    DelegationApprovalChecker,
    DelegationDriver,
    DelegationLedger,
    DelegationQuota,
    DelegationReporter,
    PushInbox,
    { provide: REMOTE_AGENT_PORT, useClass: A2aRemoteClient },
    RunningDelegations,
    { provide: TENANTS, useFactory: loadA2aTenants, inject: [APP_CONFIG] },
  ],
})
export class AppModule {}
