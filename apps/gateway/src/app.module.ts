import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { A2aServerModule } from './a2a/a2a-server.module.js';
import { AgentConfigsModule } from './agent-configs/agent-configs.module.js';
import { EvaluationsModule } from './evaluations/evaluations.module.js';
import { AgUiController } from './agui/agui.controller.js';
import { ApprovalsModule } from './approvals/approvals.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ToolCatalogueModule } from './catalog/tool-catalogue.module.js';
import { ConsoleModule } from './console/console.module.js';
import type { GatewayEnv } from './config/gateway.env.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { RequestContextInterceptor } from './http/request-context.interceptor.js';
import { McpServerModule } from './mcp/mcp-server.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { OrchestrateController } from './orchestrate/orchestrate.controller.js';
import { ReplaysModule } from './replays/replays.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { TaskPipelineModule } from './tasks/task-pipeline.module.js';
import { TasksController } from './tasks/tasks.controller.js';
import { UsageModule } from './usage/usage.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** The task edges over the task pipeline (JSON/SSE, AG-UI); the A2A and MCP edges bring theirs. */
export const HTTP_CONTROLLERS = [OrchestrateController, TasksController, AgUiController] as const;

/**
 * The gateway's feature modules, each in its folder with its routes: the tool catalogue (and
 * mcp-tools' resources), tenant quotas and usage (global: the admission of every submission),
 * the resources the orchestrator and audit keep, the A2A and MCP edges, and the web console.
 */
export const FEATURE_MODULES = [
  ToolCatalogueModule,
  UsageModule,
  ApprovalsModule,
  AuditModule,
  WebhooksModule,
  SchedulesModule,
  AgentConfigsModule,
  EvaluationsModule,
  ReplaysModule,
  OpenApiModule,
  A2aServerModule,
  McpServerModule,
  ConsoleModule,
] as const;

@Module({})
export class AppModule {
  static register(config: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [AuthModule.register(config), TaskPipelineModule, ...FEATURE_MODULES],
      controllers: [...HTTP_CONTROLLERS],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
