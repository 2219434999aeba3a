/** The demo task of `npm run up` and the README. */
export const DEMO_TASK = 'what is 17 * 23, then save the result as a note';

/** The named events the built-in planner's run of DEMO_TASK streams, in order. */
export const DEMO_TASK_EVENTS = Object.freeze([
  'orchestrator.task.started',
  'mcp.toolbox.generated',
  'orchestrator.planning.started',
  'orchestrator.planning.completed',
  'orchestrator.step.dispatching',
  'mcp.task.started',
  'mcp.task.completed',
  'orchestrator.step.completed',
  'orchestrator.step.dispatching',
  'mcp.task.started',
  'mcp.task.completed',
  'orchestrator.step.completed',
  'orchestrator.planning.started',
  'orchestrator.task.completed',
] as const);
