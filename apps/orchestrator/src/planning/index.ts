/**
 * The planners' front door (docs/architecture.md, "The task core's front door"): what a feature may use
 * of the task core's planning — the planner's vocabulary (what it is asked, what it decides), the
 * planners a replay runs again with a record's completions, and the LLM client they ask. A feature
 * imports planning only from here (eslint.config.js); the rest is the core's own.
 */
export type { KnownAgent, PlanDecision, Planner, PlanningState, ThreadTurn } from './planner.js';
export { BuiltinPlanner } from './builtin-planner.js';
export { DirectCallPlanner } from './direct-call.planner.js';
export { LlmPlanner } from './llm/llm-planner.js';
export {
  LLM_CLIENT,
  type LlmClient,
  type LlmCompletion,
  type LlmMessage,
  type LlmRequest,
} from './llm/llm.client.js';
export { llmMemoOf } from './llm/llm-transcript.js';
export { ArgumentValidator } from './llm/argument-validator.js';
