import { Module } from '@nestjs/common';
import { A2aRemoteClient } from '../a2a/a2a-remote.client.js';
import { AgentResilience } from '../delegation/agent-resilience.js';
import { REMOTE_AGENT_PORT } from '../delegation/remote-agent.port.js';
import { AgentHttp } from '../transport/agent-http.service.js';
import { AgentAccess } from './agent-access.js';
import { AgentRegistry } from './agent-registry.service.js';
import { AgentsHandler } from './agents.handler.js';

const shared = [
  AgentHttp,
  AgentRegistry,
  AgentResilience,
  { provide: REMOTE_AGENT_PORT, useClass: A2aRemoteClient },
];

/**
 * The remote agents: their cards (read over A2A, through the XMPP bridge for xmpp agents), who may
 * call which, and each agent's circuit breaker; the delegation feature calls them through this.
 */
@Module({
  controllers: [AgentsHandler],
  providers: [...shared, AgentAccess],
  exports: shared,
})
export class AgentsModule {}
