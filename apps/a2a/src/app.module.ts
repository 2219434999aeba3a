import { Module } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module.js';
import { A2aCoreModule } from './core/a2a-core.module.js';
import { DelegationModule } from './delegation/delegation.module.js';

/**
 * The a2a service: its core (global), the remote agents (cards, access, circuit breaking) and
 * delegation (retries, approval, quota, push), each feature in its folder with its module.
 */
@Module({ imports: [A2aCoreModule, AgentsModule, DelegationModule] })
export class AppModule {}
