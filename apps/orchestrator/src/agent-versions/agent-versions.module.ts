import { Module } from '@nestjs/common';
import { AgentLookup } from './agent-lookup.js';
import { AgentRepository } from './agent.repository.js';
import { AgentRoutingRepository } from './agent-routing.repository.js';
import { DefaultAgentCopies } from './default-agent.copies.js';
import { SetAgentCanaryUseCase } from './set-agent-canary/set-agent-canary.use-case.js';
import { SetDefaultAgentUseCase } from './set-default-agent/set-default-agent.use-case.js';
import { AgentVersionReader } from './agent-version.reader.js';
import { AgentVersionsHandler } from './agent-versions.handler.js';
import { AgentVersionsRelay } from './agent-versions.relay.js';
import { CreateAgentUseCase } from './create-agent/create-agent.use-case.js';
import { CreateAgentVersionUseCase } from './create-agent-version/create-agent-version.use-case.js';
import { MoveAgentLabelUseCase } from './move-agent-label/move-agent-label.use-case.js';
import { AgentVersionResolver } from './resolve-agent-version/agent-version.resolver.js';

/**
 * Agent versions (docs/agents.md): agents as named, versioned configurations with labels, and the
 * resolver the task core asks (AGENT_VERSIONS) which version a task runs.
 */
@Module({
  controllers: [AgentVersionsHandler, AgentVersionsRelay],
  providers: [
    AgentLookup,
    AgentRepository,
    AgentRoutingRepository,
    DefaultAgentCopies,
    AgentVersionReader,
    AgentVersionResolver,
    CreateAgentUseCase,
    CreateAgentVersionUseCase,
    MoveAgentLabelUseCase,
    SetAgentCanaryUseCase,
    SetDefaultAgentUseCase,
  ],
  exports: [AgentVersionResolver, AgentRepository, AgentLookup],
})
export class AgentVersionsModule {}
