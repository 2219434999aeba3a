import { Global, Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, TENANTS, TenantDirectory } from '@switchboard/config';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import { AgentStepRunner } from '../dispatch/agent-step.runner.js';
import { StepDispatcher } from '../dispatch/step-dispatcher.js';
import { ToolStepRunner } from '../dispatch/tool-step.runner.js';
import { LLM_CLIENT } from '../planning/llm/llm.client.js';
import { LlmMetrics } from '../planning/llm/llm.metrics.js';
import { plannerProviders } from '../planning/planner.provider.js';
import { tokenOf } from '../nest/provider-token.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { CancellationRegistry } from './cancellation.registry.js';
import { DispatchStepsUseCase } from './dispatch-steps/dispatch-steps.use-case.js';
import { FinishTaskUseCase } from './finish-task/finish-task.use-case.js';
import { AuditOutboxRepository } from './journal/audit-relay/audit-outbox.repository.js';
import { AuditRelay } from './journal/audit-relay/audit-relay.js';
import { AuditRelaySweep } from './journal/audit-relay/audit-relay.sweep.js';
import { TaskEventPublisher } from './journal/task-event.publisher.js';
import { TaskJournal } from './journal/task-journal.js';
import { TaskJournalRepository } from './journal/task-journal.repository.js';
import { PauseTaskUseCase } from './pause-task/pause-task.use-case.js';
import { PlanRoundUseCase } from './plan-round/plan-round.use-case.js';
import { PlanningRoundRepository } from './plan-round/planning-round.repository.js';
import { RunTaskUseCase } from './run-task/run-task.use-case.js';
import { StartTask } from './run-task/start-task.js';
import { TaskLoop } from './run-task/task-loop.js';
import { TaskCanceller } from './task-canceller.js';
import { TaskCore } from './task.core.js';
import { TaskEventLog } from './task-event.log.js';
import { TaskListHandler } from './task-list.handler.js';
import { TaskListRepository } from './task-list.repository.js';
import { TaskConsumer } from './task.consumer.js';
import { TaskHandler } from './task.handler.js';
import { TaskRepository } from './task.repository.js';
import { TaskTelemetry } from './task.telemetry.js';
import { TaskStateStore } from './state/task-state.store.js';

/** The orchestrator's kernel: its database, its tenants and the audit of refusals across them. */
const kernel: Provider[] = [
  PrismaService,
  {
    provide: TENANTS,
    useFactory: (config: OrchestratorEnv) => TenantDirectory.load(config.TENANTS_FILE),
    inject: [APP_CONFIG],
  },
  TenantRefusals,
];

/** What runs a task: the stored machine, the journal, one run's use cases, planners, step runners. */
const core: Provider[] = [
  AgentStepRunner,
  AuditOutboxRepository,
  AuditRelay,
  AuditRelaySweep,
  CancellationRegistry,
  DispatchStepsUseCase,
  FinishTaskUseCase,
  LlmMetrics,
  PauseTaskUseCase,
  ...plannerProviders,
  PlanningRoundRepository,
  PlanRoundUseCase,
  RunTaskUseCase,
  StartTask,
  StepDispatcher,
  TaskCanceller,
  TaskConsumer,
  TaskCore,
  TaskEventLog,
  TaskEventPublisher,
  TaskJournal,
  TaskJournalRepository,
  TaskListRepository,
  TaskLoop,
  TaskRepository,
  TaskStateStore,
  TaskTelemetry,
  ToolStepRunner,
];

/**
 * What features may inject (tasks/index.ts, the core's front door): the commands, and the LLM client
 * a replay plans again with. The rest of the core is its own.
 */
const frontDoor = [TaskCore, TaskCanceller, LLM_CLIENT];

/**
 * The task core as a Nest module (docs/task-core.md). Global: every feature module injects what the
 * core exports without importing it — features depend on the core, the core on none of them. It
 * exports the kernel and its front door only. Its ports (tasks/ports) are bound by the app's
 * TaskPortsModule, also global, from the feature modules.
 */
@Global()
@Module({
  controllers: [TaskHandler, TaskListHandler],
  providers: [...kernel, ...core],
  exports: [...kernel.map(tokenOf), ...frontDoor],
})
export class TaskCoreModule {}
