import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { A2aServerModule } from './a2a/a2a-server.module.js';
import { AgentConfigsController } from './agent-configs/agent-configs.controller.js';
import { EvaluationsController } from './evaluations/evaluations.controller.js';
import { AgUiController } from './agui/agui.controller.js';
import { ApprovalsController } from './approvals/approvals.controller.js';
import { AuditController } from './audit/audit.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { AuthorizationsController } from './catalog/authorizations.controller.js';
import { MemoryController } from './catalog/memory.controller.js';
import { CatalogController } from './catalog/catalog.controller.js';
import { ToolCatalogueModule } from './catalog/tool-catalogue.module.js';
import { ConsoleModule } from './console/console.module.js';
import type { GatewayEnv } from './config/gateway.env.js';
import { HttpExceptionFilter } from './http/http-exception.filter.js';
import { RequestContextInterceptor } from './http/request-context.interceptor.js';
import { McpServerModule } from './mcp/mcp-server.module.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { OrchestrateController } from './orchestrate/orchestrate.controller.js';
import { ReplaysController } from './replays/replays.controller.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { TaskPipelineModule } from './tasks/task-pipeline.module.js';
import { TasksController } from './tasks/tasks.controller.js';
import { UsageModule } from './usage/usage.module.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';

/** The gateway's own HTTP controllers (the A2A and MCP edges bring theirs in their modules). */
export const HTTP_CONTROLLERS = [
  OrchestrateController,
  TasksController,
  ApprovalsController,
  AgUiController,
  CatalogController,
  AuthorizationsController,
  MemoryController,
  AuditController,
  WebhooksController,
  SchedulesController,
  AgentConfigsController,
  EvaluationsController,
  OpenApiController,
  ReplaysController,
] as const;

@Module({})
export class AppModule {
  static register(config: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.register(config),
        TaskPipelineModule,
        ToolCatalogueModule,
        // Tenant quotas: the admission of every submission (global), /usage and /tenants/*/quotas.
        UsageModule,
        // Feature modules owned by their protocol edges.
        A2aServerModule,
        McpServerModule,
        // The web console and the read-only routes it adds.
        ConsoleModule,
      ],
      controllers: [...HTTP_CONTROLLERS],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestContextInterceptor },
      ],
    };
  }
}
