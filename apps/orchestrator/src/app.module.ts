import { Module } from '@nestjs/common';
import { A2aAgentDirectory } from './agents/a2a-agent-directory.js';
import { AGENT_DIRECTORY } from './agents/agent-directory.js';
import { AgentStepRunner } from './dispatch/agent-step.runner.js';
import { StepDispatcher } from './dispatch/step-dispatcher.js';
import { ToolStepRunner } from './dispatch/tool-step.runner.js';
import { GuardrailService } from './guardrails/guardrail.service.js';
import { Guardrails } from './guardrails/guardrails.js';
import { LlmMetrics } from './planning/llm/llm.metrics.js';
import { plannerProviders } from './planning/planner.provider.js';
import { PrismaService } from './prisma/prisma.service.js';
import { ActionRunner } from './tasks/action-runner.js';
import { CancellationRegistry } from './tasks/cancellation.registry.js';
import { PlanningRoundRepository } from './tasks/planning-round.repository.js';
import { RoundPlanner } from './tasks/round-planner.js';
import { RunTaskUseCase } from './tasks/run-task.use-case.js';
import { TaskConsumer } from './tasks/task.consumer.js';
import { TaskEventLog } from './tasks/task-event.log.js';
import { TaskFinisher } from './tasks/task-finisher.js';
import { TaskHandler } from './tasks/task.handler.js';
import { TaskListHandler } from './tasks/task-list.handler.js';
import { TaskListRepository } from './tasks/task-list.repository.js';
import { TaskLoop } from './tasks/task-loop.js';
import { TaskTelemetry } from './tasks/task.telemetry.js';
import { TaskRepository } from './tasks/task.repository.js';
import { ThreadHistoryService } from './threads/thread-history.service.js';
import { ThreadRepository } from './threads/thread.repository.js';

@Module({
  controllers: [TaskHandler, TaskListHandler],
  providers: [
    { provide: AGENT_DIRECTORY, useClass: A2aAgentDirectory },
    ActionRunner,
    AgentStepRunner,
    CancellationRegistry,
    GuardrailService,
    Guardrails,
    LlmMetrics,
    ...plannerProviders,
    PlanningRoundRepository,
    PrismaService,
    RoundPlanner,
    RunTaskUseCase,
    StepDispatcher,
    TaskConsumer,
    TaskEventLog,
    TaskFinisher,
    TaskListRepository,
    TaskLoop,
    TaskRepository,
    TaskTelemetry,
    ThreadHistoryService,
    ThreadRepository,
    ToolStepRunner,
  ],
})
export class AppModule {}
