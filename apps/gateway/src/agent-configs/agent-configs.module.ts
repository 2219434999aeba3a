import { Module } from '@nestjs/common';
import { AgentConfigsController } from './agent-configs.controller.js';

/** Versioned agent configurations over HTTP: agents, versions, labels and diffs. */
@Module({ controllers: [AgentConfigsController] })
export class AgentConfigsModule {}
