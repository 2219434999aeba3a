import { Global, Module } from '@nestjs/common';
import { A2aPushModule } from './a2a-push/a2a-push.module.js';
import { A2aPushConfigRepository } from './a2a-push/a2a-push-config.repository.js';
import { EnqueuePushNotificationsUseCase } from './a2a-push/enqueue-push-notifications/enqueue-push-notifications.use-case.js';
import { AgentVersionsModule } from './agent-versions/agent-versions.module.js';
import { LABEL_GATE } from './agent-versions/label-gate.port.js';
import { AgentVersionResolver } from './agent-versions/resolve-agent-version/agent-version.resolver.js';
import { AgentsModule } from './agents/agents.module.js';
import { ApprovalGate } from './approvals/approval.gate.js';
import { ApprovalsModule } from './approvals/approvals.module.js';
import { TaskResumer } from './approvals/task-resumer.js';
import { BudgetModule } from './budget/budget.module.js';
import { DatasetRuleObserver } from './evaluations/datasets/dataset-rules/dataset-rule.observer.js';
import { EvaluationsModule } from './evaluations/evaluations.module.js';
import { LabelProtectionGate } from './evaluations/label-protection/label-protection.gate.js';
import { OnlineScoringObserver } from './evaluations/online/online-scoring.observer.js';
import { TenantBudgetGate } from './budget/tenant-budget.gate.js';
import { Guardrails } from './guardrails/guardrails.js';
import { GuardrailsModule } from './guardrails/guardrails.module.js';
import { MemoryRecallProvider } from './memory/memory-recall.provider.js';
import { MemoryModule } from './memory/memory.module.js';
import { QuotasModule } from './quotas/quotas.module.js';
import { TaskSlots } from './quotas/task-slots.js';
import { ReplayModule } from './replay/replay.module.js';
import { RunOrigins } from './replay/run-origins.js';
import { RunRecordRepository } from './replay/run-record.repository.js';
import {
  AGENT_VERSIONS,
  CALL_GATE,
  CONTENT_SCREEN,
  JOURNAL_DELIVERY_SENDER,
  JOURNAL_DELIVERY_SINKS,
  type JournalDeliverySink,
  PENDING_DECISIONS,
  PLANNING_CONTEXT_PROVIDERS,
  type PlanningContextProvider,
  ROUND_GATE,
  RUN_SLOT,
  RUN_SOURCES,
  RUN_TREE,
  START_GATE,
  TASK_OBSERVERS,
  type TaskObserver,
  THREAD_HISTORY,
} from './tasks/index.js';
import { ThreadHistoryService } from './threads/thread-history.service.js';
import { ThreadObserver } from './threads/thread.observer.js';
import { ThreadsModule } from './threads/threads.module.js';
import { WaitForThreadUseCase } from './threads/wait-for-thread/wait-for-thread.use-case.js';
import { EnqueueDeliveriesUseCase } from './webhooks/enqueue-deliveries/enqueue-deliveries.use-case.js';
import { WebhookJournalSender } from './webhooks/webhook-journal.sender.js';
import { PUSH_HEADERS } from './webhooks/delivery/push-headers.port.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** Which feature answers each port of the task core (docs/task-core.md), in one place. */
const ports = [
  // Step gates: the guardrails screen what the task stores and shows, the tenant's daily budget
  // gates each round that asks a model, the concurrentTasks quota is the slot a task holds while it
  // runs, and approvals hold the calls that wait for a person.
  { provide: CONTENT_SCREEN, useExisting: Guardrails },
  { provide: ROUND_GATE, useExisting: TenantBudgetGate },
  { provide: RUN_SLOT, useExisting: TaskSlots },
  { provide: CALL_GATE, useExisting: ApprovalGate },
  { provide: PENDING_DECISIONS, useExisting: TaskResumer },
  // Where a run's decisions and step results come from: live, or a recorded task's (replay, fork);
  // and the replays and forks made of a task, listed with it.
  { provide: RUN_SOURCES, useExisting: RunOrigins },
  { provide: RUN_TREE, useExisting: RunRecordRepository },
  // Which agent version a task runs (docs/agents.md), resolved once as it starts.
  { provide: AGENT_VERSIONS, useExisting: AgentVersionResolver },
  // Asked before an agent's label moves: a protected label needs a passing experiment.
  { provide: LABEL_GATE, useExisting: LabelProtectionGate },
  // Asked before a task starts: a task behind an earlier task of its thread waits for it.
  { provide: START_GATE, useExisting: WaitForThreadUseCase },
  // The conversation the LLM planner continues: the thread's earlier turns.
  { provide: THREAD_HISTORY, useExisting: ThreadHistoryService },
  // Told when a task ends and when it holds nothing any more, in this order: the thread, then the
  // datasets whose rules collect ended tasks and the online scoring rules (both off the task's path).
  {
    provide: TASK_OBSERVERS,
    useFactory: (...observers: TaskObserver[]) => observers,
    inject: [ThreadObserver, DatasetRuleObserver, OnlineScoringObserver],
  },
  // What every planning round is offered besides the task and its thread: long-term memory.
  {
    provide: PLANNING_CONTEXT_PROVIDERS,
    useFactory: (...providers: PlanningContextProvider[]) => providers,
    inject: [MemoryRecallProvider],
  },
  // What the task journal's statements store besides the events: each feature's deliveries, sent
  // by the webhooks' sender.
  {
    provide: JOURNAL_DELIVERY_SINKS,
    useFactory: (...sinks: JournalDeliverySink[]) => sinks,
    inject: [EnqueueDeliveriesUseCase, EnqueuePushNotificationsUseCase],
  },
  { provide: JOURNAL_DELIVERY_SENDER, useExisting: WebhookJournalSender },
  // Not the core's: the webhooks' one port, answered by the feature built on them (A2A push
  // configs give their deliveries' headers), bound here so neither module imports the other back.
  { provide: PUSH_HEADERS, useExisting: A2aPushConfigRepository },
];

const features = [
  AgentsModule,
  AgentVersionsModule,
  ApprovalsModule,
  BudgetModule,
  EvaluationsModule,
  GuardrailsModule,
  MemoryModule,
  QuotasModule,
  ReplayModule,
  ThreadsModule,
  WebhooksModule,
  A2aPushModule,
];

/**
 * The orchestrator's composition root for the task core's ports: each port bound to the feature
 * module that plugs into it. Global, as TaskCoreModule is, so the core injects its ports without
 * importing a feature (the lint rule forbids it). The agent directory's token is the agents module's
 * own (approvals read it too): re-exported with it.
 */
@Global()
@Module({
  imports: features,
  providers: ports,
  exports: [...ports.map((p) => p.provide), AgentsModule],
})
export class TaskPortsModule {}
