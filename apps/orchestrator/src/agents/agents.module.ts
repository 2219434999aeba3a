import { Module } from '@nestjs/common';
import { AGENT_DIRECTORY } from '../tasks/index.js';
import { A2aAgentDirectory } from './a2a-agent-directory.js';

/** The remote agents a user may delegate to, read from the a2a service (the core's agent directory). */
@Module({
  providers: [A2aAgentDirectory, { provide: AGENT_DIRECTORY, useExisting: A2aAgentDirectory }],
  exports: [A2aAgentDirectory, AGENT_DIRECTORY],
})
export class AgentsModule {}
