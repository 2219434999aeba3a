import { APP_CONFIG, TENANTS, TenantDirectory } from '@switchboard/config';
import type { OrchestratorEnv } from './config/orchestrator.env.js';
import { ApprovalGate } from './approvals/approval.gate.js';
import { ApprovalHandler } from './approvals/approval.handler.js';
import { ApprovalMetrics } from './approvals/approval.metrics.js';
import { ApprovalRepository } from './approvals/approval.repository.js';
import { DecideApprovalUseCase } from './approvals/decide-approval/decide-approval.use-case.js';
import { ExpireApprovalsUseCase } from './approvals/expire-approvals/expire-approvals.use-case.js';
import { TaskResumer } from './approvals/task-resumer.js';
import { CALL_GATE } from './tasks/ports/call-gate.port.js';
import { PENDING_DECISIONS } from './tasks/ports/pending-decisions.port.js';
import { PauseTaskUseCase } from './tasks/pause-task/pause-task.use-case.js';
import { Module } from '@nestjs/common';
import { A2aAgentDirectory } from './agents/a2a-agent-directory.js';
import { AGENT_DIRECTORY } from './tasks/ports/agent-directory.port.js';
import { AgentStepRunner } from './dispatch/agent-step.runner.js';
import { StepDispatcher } from './dispatch/step-dispatcher.js';
import { ToolStepRunner } from './dispatch/tool-step.runner.js';
import { GuardrailService } from './guardrails/guardrail.service.js';
import { Guardrails } from './guardrails/guardrails.js';
import { LlmMetrics } from './planning/llm/llm.metrics.js';
import { plannerProviders } from './planning/planner.provider.js';
import { PrismaService } from './prisma/prisma.service.js';
import { OrchestratorQuotas } from './quotas/orchestrator-quotas.js';
import { OrchestratorRedis } from './quotas/orchestrator-redis.js';
import { TaskAdmission } from './quotas/task-admission.js';
import { TaskSlots } from './quotas/task-slots.js';
import { TenantBudget } from './budget/tenant-budget.js';
import { TenantBudgetGate } from './budget/tenant-budget.gate.js';
import { CONTENT_SCREEN } from './tasks/ports/content-screen.port.js';
import { ROUND_GATE } from './tasks/ports/round-gate.port.js';
import { RUN_SLOT } from './tasks/ports/run-slot.port.js';
import { DispatchStepsUseCase } from './tasks/dispatch-steps/dispatch-steps.use-case.js';
import { CancellationRegistry } from './tasks/cancellation.registry.js';
import { PlanningRoundRepository } from './tasks/plan-round/planning-round.repository.js';
import { PlanRoundUseCase } from './tasks/plan-round/plan-round.use-case.js';
import { RunTaskUseCase } from './tasks/run-task/run-task.use-case.js';
import { StartTask } from './tasks/run-task/start-task.js';
import { TaskConsumer } from './tasks/task.consumer.js';
import { TaskEventLog } from './tasks/task-event.log.js';
import { AuditOutboxRepository } from './tasks/journal/audit-relay/audit-outbox.repository.js';
import { AuditRelay } from './tasks/journal/audit-relay/audit-relay.js';
import { AuditRelaySweep } from './tasks/journal/audit-relay/audit-relay.sweep.js';
import { TaskEventPublisher } from './tasks/journal/task-event.publisher.js';
import { ForgetRecalledHandler } from './memory/forget-recalled.handler.js';
import { ForgetRecalledUseCase } from './memory/forget-recalled/forget-recalled.use-case.js';
import { RecallRecordsRepository } from './memory/forget-recalled/recall-records.repository.js';
import { MemoryRecallProvider } from './memory/memory-recall.provider.js';
import {
  PLANNING_CONTEXT_PROVIDERS,
  type PlanningContextProvider,
} from './tasks/context/planning-context.port.js';
import {
  JOURNAL_DELIVERY_SINKS,
  type JournalDeliverySink,
} from './tasks/journal/journal-delivery.port.js';
import { RUN_SOURCES } from './tasks/ports/run-source.port.js';
import { RUN_TREE } from './tasks/ports/run-tree.port.js';
import { TaskJournal } from './tasks/journal/task-journal.js';
import { TaskJournalRepository } from './tasks/journal/task-journal.repository.js';
import { FinishTaskUseCase } from './tasks/finish-task/finish-task.use-case.js';
import { TaskHandler } from './tasks/task.handler.js';
import { TaskListHandler } from './tasks/task-list.handler.js';
import { TaskListRepository } from './tasks/task-list.repository.js';
import { TaskLoop } from './tasks/run-task/task-loop.js';
import { TaskTelemetry } from './tasks/task.telemetry.js';
import { TaskRepository } from './tasks/task.repository.js';
import { TaskStateStore } from './tasks/state/task-state.store.js';
import { ThreadHistoryService } from './threads/thread-history.service.js';
import { TenantRefusals } from './tenancy/tenant-refusals.js';
import { ThreadRepository } from './threads/thread.repository.js';
import { ThreadGateRepository } from './threads/thread-gate.repository.js';
import { ThreadHandler } from './threads/thread.handler.js';
import { AdmitToThreadUseCase } from './threads/admit-to-thread/admit-to-thread.use-case.js';
import { ReleaseThreadUseCase } from './threads/release-thread/release-thread.use-case.js';
import { ResubmitHandedOverUseCase } from './threads/resubmit-handed-over/resubmit-handed-over.use-case.js';
import { WaitForThreadUseCase } from './threads/wait-for-thread/wait-for-thread.use-case.js';
import { ThreadObserver } from './threads/thread.observer.js';
import { START_GATE } from './tasks/ports/start-gate.port.js';
import { TASK_OBSERVERS, type TaskObserver } from './tasks/ports/task-observer.port.js';
import { THREAD_HISTORY } from './tasks/ports/thread-history.port.js';
import { TaskCanceller } from './tasks/task-canceller.js';
import { DiffTasksUseCase } from './replay/diff-tasks/diff-tasks.use-case.js';
import { JudgeReplayUseCase } from './replay/judge-replay/judge-replay.use-case.js';
import { RunOrigins } from './replay/run-origins.js';
import { RunRecordRepository } from './replay/run-record.repository.js';
import { RunsHandler } from './replay/runs.handler.js';
import { AdvanceBatchesUseCase } from './replay/batches/advance-batches/advance-batches.use-case.js';
import { ReplayBatchRepository } from './replay/batches/replay-batch.repository.js';
import { ReplayBatchesHandler } from './replay/batches/replay-batches.handler.js';
import { StartBatchUseCase } from './replay/batches/start-batch/start-batch.use-case.js';

import { ScheduleHandler } from './schedules/schedule.handler.js';
import { scheduleProviders } from './schedules/schedule.providers.js';
import { WebhookHandler } from './webhooks/webhook.handler.js';
import { A2aPushHandler } from './a2a-push/a2a-push.handler.js';
import { a2aPushProviders } from './a2a-push/a2a-push.providers.js';
import { webhookProviders } from './webhooks/webhook.providers.js';
import { EnqueueDeliveriesUseCase } from './webhooks/enqueue-deliveries/enqueue-deliveries.use-case.js';
import { EnqueuePushNotificationsUseCase } from './a2a-push/enqueue-push-notifications/enqueue-push-notifications.use-case.js';
import { retentionProviders } from './retention/retention.providers.js';

@Module({
  controllers: [
    TaskHandler,
    ThreadHandler,
    TaskListHandler,
    ApprovalHandler,
    RunsHandler,
    ReplayBatchesHandler,
    WebhookHandler,
    A2aPushHandler,
    ScheduleHandler,
    ForgetRecalledHandler,
  ],
  providers: [
    { provide: AGENT_DIRECTORY, useClass: A2aAgentDirectory },
    ApprovalGate,
    ApprovalMetrics,
    ApprovalRepository,
    DecideApprovalUseCase,
    ExpireApprovalsUseCase,
    PauseTaskUseCase,
    TaskResumer,
    // The gate every planned call passes, and what a pause or a cancel asks of the decisions: approvals.
    { provide: CALL_GATE, useExisting: ApprovalGate },
    { provide: PENDING_DECISIONS, useExisting: TaskResumer },
    DispatchStepsUseCase,
    AgentStepRunner,
    CancellationRegistry,
    GuardrailService,
    Guardrails,
    {
      provide: TENANTS,
      useFactory: (config: OrchestratorEnv) => TenantDirectory.load(config.TENANTS_FILE),
      inject: [APP_CONFIG],
    },
    LlmMetrics,
    OrchestratorQuotas,
    OrchestratorRedis,
    ...plannerProviders,
    PlanningRoundRepository,
    PrismaService,
    PlanRoundUseCase,
    DiffTasksUseCase,
    AdvanceBatchesUseCase,
    ReplayBatchRepository,
    StartBatchUseCase,
    JudgeReplayUseCase,
    RunOrigins,
    RunRecordRepository,
    // Where a run's decisions and step results come from: live, or a recorded task's (replay, fork).
    { provide: RUN_SOURCES, useExisting: RunOrigins },
    // The replays and forks made of a task, listed with it.
    { provide: RUN_TREE, useExisting: RunRecordRepository },
    RunTaskUseCase,
    StartTask,
    StepDispatcher,
    TaskConsumer,
    TaskEventLog,
    TaskEventPublisher,
    AuditOutboxRepository,
    AuditRelay,
    AuditRelaySweep,
    TaskJournal,
    TaskJournalRepository,
    FinishTaskUseCase,
    TaskListRepository,
    TaskLoop,
    TaskRepository,
    TaskStateStore,
    TaskSlots,
    TaskAdmission,
    TaskTelemetry,
    TenantBudget,
    TenantBudgetGate,
    TenantRefusals,
    ThreadHistoryService,
    ThreadRepository,
    ThreadGateRepository,
    AdmitToThreadUseCase,
    ReleaseThreadUseCase,
    ResubmitHandedOverUseCase,
    WaitForThreadUseCase,
    ThreadObserver,
    // Asked before a task starts: a task behind an earlier task of its thread waits for it.
    { provide: START_GATE, useExisting: WaitForThreadUseCase },
    // The conversation the LLM planner continues: the thread's earlier turns.
    { provide: THREAD_HISTORY, useExisting: ThreadHistoryService },
    // Told when a task ends and when it holds nothing any more, in this order: the thread.
    {
      provide: TASK_OBSERVERS,
      useFactory: (...observers: TaskObserver[]) => observers,
      inject: [ThreadObserver],
    },
    TaskCanceller,
    ToolStepRunner,
    ...retentionProviders,
    ...webhookProviders,
    ...a2aPushProviders,
    // What every planning round is offered besides the task and its thread: long-term memory.
    MemoryRecallProvider,
    ForgetRecalledUseCase,
    RecallRecordsRepository,
    {
      provide: PLANNING_CONTEXT_PROVIDERS,
      useFactory: (...providers: PlanningContextProvider[]) => providers,
      inject: [MemoryRecallProvider],
    },
    // What the task journal's statements store besides the events: each feature's deliveries.
    {
      provide: JOURNAL_DELIVERY_SINKS,
      useFactory: (...sinks: JournalDeliverySink[]) => sinks,
      inject: [EnqueueDeliveriesUseCase, EnqueuePushNotificationsUseCase],
    },
    // The step gates the task core asks (tasks/ports/): the guardrails screen what the task stores
    // and shows, the tenant's daily budget gates each round that asks a model, the concurrentTasks
    // quota is the slot a task holds while it runs.
    { provide: CONTENT_SCREEN, useExisting: Guardrails },
    { provide: ROUND_GATE, useExisting: TenantBudgetGate },
    { provide: RUN_SLOT, useExisting: TaskSlots },
    ...scheduleProviders,
  ],
})
export class AppModule {}
