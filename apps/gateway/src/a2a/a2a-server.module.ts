import { Module } from '@nestjs/common';
import { TaskPipelineModule } from '../tasks/task-pipeline.module.js';
import { A2aController } from './a2a.controller.js';
import { A2aEndpoint } from './a2a-endpoint.service.js';
import { A2aNotificationsController } from './a2a-notifications.controller.js';
import { PlatformAgentExecutor } from './platform-agent.executor.js';
import { PlatformAgentQueries } from './platform-agent.queries.js';

/**
 * The platform as an A2A 1.0 agent: its agent card and JSON-RPC endpoint (send, stream, get, cancel,
 * list, push configs, the extended card),
 * running tasks through the same pipeline as POST /orchestrate.
 */
@Module({
  imports: [TaskPipelineModule],
  controllers: [A2aController, A2aNotificationsController],
  providers: [A2aEndpoint, PlatformAgentExecutor, PlatformAgentQueries],
})
export class A2aServerModule {}
