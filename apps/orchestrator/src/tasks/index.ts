/**
 * The task core's front door (docs/architecture.md, "The task core's front door"): everything a feature
 * of the orchestrator may use of the core, and nothing else. A feature folder imports the core only
 * from here (eslint.config.js enforces it; tools/prove-boundaries.sh shows it bites); what is not listed
 * here is the core's own and may change without a feature noticing.
 *
 * What a feature may ask and be told:
 * - the module (`TaskCoreModule`, imported once by the app), whose exports are the providers below
 *   and the orchestrator's kernel (its database, tenants, refusals);
 * - commands: `TaskCore` (submit a replay or fork, wake a waiting task, read the few facts a feature
 *   needs of a stored task and its rounds) and `TaskCanceller` (cancel a task the one way);
 * - `ThreadWaitStore`: the three moves of a task row a thread's queue makes in its own transaction;
 * - the ports a feature plugs into (tasks/ports, tasks/context, tasks/journal's delivery port), which
 *   show a run only as a read-only `TaskRunView`;
 * - a few values: the blocked-text placeholder, the live run source, the public status of a stored
 *   state, the token estimate the planner budgets with.
 */

// The module and the commands it exports.
export { TaskCoreModule } from './task-core.module.js';
export { TaskCore, type RunSubmission } from './task.core.js';
export { TaskCanceller } from './task-canceller.js';
export { ThreadWaitStore } from './state/thread-wait.store.js';

// What a port shows of a run, and how a run ends.
export type { Outcome, RunSourceView, TaskRunView } from './ports/task-run.view.js';

// The ports features plug into (bound by the app's TaskPortsModule).
export {
  AGENT_DIRECTORY,
  type AgentDirectory,
  type AgentList,
  type DirectoryAgent,
} from './ports/agent-directory.port.js';
export {
  AGENT_VERSIONS,
  type AgentVersions,
  type ResolvedAgent,
} from './ports/agent-version.port.js';
export {
  CALL_GATE,
  type CallApproval,
  type CallGate,
  type CallVerdict,
  type HeldCall,
} from './ports/call-gate.port.js';
export {
  BLOCKED_PLACEHOLDER,
  CONTENT_SCREEN,
  type ContentScreen,
  type ScreenHit,
  type ScreenStage,
} from './ports/content-screen.port.js';
export { PENDING_DECISIONS, type PendingDecisions } from './ports/pending-decisions.port.js';
export { ROUND_GATE, type RoundGate } from './ports/round-gate.port.js';
export { RUN_SLOT, type RunSlot, type SlotHolder } from './ports/run-slot.port.js';
export {
  RUN_SOURCES,
  type RecordedBasis,
  type RecordedOutcome,
  type RecordedStepAnswer,
  type RecordedStepResult,
  type ResolvedRun,
  type RunSource,
  type RunSources,
} from './ports/run-source.port.js';
export { RUN_TREE, type RunTree } from './ports/run-tree.port.js';
export { START_GATE, type StartGate } from './ports/start-gate.port.js';
export {
  TASK_OBSERVERS,
  type EndedTask,
  type ReleasedTask,
  type TaskObserver,
} from './ports/task-observer.port.js';
export {
  THREAD_HISTORY,
  type ThreadHistory,
  type ThreadOwner,
} from './ports/thread-history.port.js';
export {
  PLANNING_CONTEXT_PROVIDERS,
  type PlanningContext,
  type PlanningContextProvider,
  type PlanningContextRequest,
} from './context/planning-context.port.js';
export {
  JOURNAL_DELIVERY_SENDER,
  JOURNAL_DELIVERY_SINKS,
  type JournalDeliverySender,
  type JournalDeliverySink,
  type JournaledEvents,
} from './journal/journal-delivery.port.js';

// What a replay reads of a stored task (its rounds, its steps' events), and runs as a live task.
export { RoundContext, type StoredRound } from './plan-round/planning-round.repository.js';
export type { RecordedStepEvent } from './task-step.store.js';
export { LIVE_RUN } from './run-task/live-run.source.js';

// Values a feature shares with the core.
export { publicStatus } from './state/task-state.machine.js';
export { estimateTokens } from './run-task/usage-meter.js';
