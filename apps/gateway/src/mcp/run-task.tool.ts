import { DomainError, Tasks, type Tools } from '@switchboard/contracts';

/**
 * The MCP endpoint's own tool (docs/mcp.md, "Running a whole task"): `switchboard.run_task` submits a
 * whole task as the caller — planned by the orchestrator, so it may call tools and delegate to remote
 * A2A agents — through the gateway's task submission (quotas, rate limits, audit as on POST
 * /orchestrate), and answers with the task's answer. It lives here, not in mcp-tools: a task is the
 * gateway's to submit, and a tool of mcp-tools runs inside a task.
 */
export const RUN_TASK_TOOL = 'switchboard.run_task';
/** Its provider in listings (`_meta["dev.switchboard/provider"]`): the platform itself. */
export const RUN_TASK_PROVIDER = 'switchboard';

/**
 * How long a call of it waits for the task's end before it becomes an MCP task, for a client that
 * took the tasks extension (2026-07-28); others wait RESULT_TIMEOUT_MS, as for any call.
 */
export const RUN_TASK_AT_ONCE_MS = 2_000;

/** How the tool is listed (both revisions); its schema says what RunTaskArguments checks. */
export const runTaskTool: Tools.ManifestTool = {
  name: RUN_TASK_TOOL,
  title: 'Run a Switchboard task',
  description:
    'Runs a whole task on Switchboard as you: the platform plans it (it may call your tools and delegate to remote agents) and answers with its result. A task that does not finish at once becomes an MCP task (extension io.modelcontextprotocol/tasks) whose id is the Switchboard task id: follow it with tasks/get, answer an approval it waits for with tasks/update, stop it with tasks/cancel.',
  provider: RUN_TASK_PROVIDER,
  inputSchema: {
    type: 'object',
    properties: {
      task: {
        type: 'string',
        minLength: 1,
        maxLength: Tasks.TASK_TEXT_MAX,
        description: 'What to do, in plain words (as the task of POST /orchestrate)',
      },
      thread_id: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        pattern: '^[A-Za-z0-9_.:-]+$',
        description: 'The conversation the task continues (your own thread ids)',
      },
      agent: {
        type: 'object',
        description:
          "The agent version it runs (docs/agents.md): an agent of your tenant by name, at a version number or a label (default: its production); absent: your tenant's default agent, if any",
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$' },
          version: { type: 'integer', minimum: 1 },
          label: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9_-]*$' },
        },
        required: ['name'],
        additionalProperties: false,
      },
    },
    required: ['task'],
    additionalProperties: false,
  },
  idempotent: false,
};

/**
 * The task request the tool's arguments make: checked with the task request's own contract (a bad
 * argument is VALIDATION naming it, which the caller reads as the tool's error), under the
 * endpoint's constraints (`?mode=auto`; a narrowed endpoint does not offer the tool).
 */
export function runTaskRequestOf(
  args: Record<string, unknown>,
  constraints: Tasks.ToolConstraints | undefined,
): Tasks.TaskRequest {
  const parsed = Tasks.RunTaskArguments.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: ['arguments', ...i.path].join('.'),
      message: i.message,
    }));
    const [first = { path: 'arguments', message: 'invalid' }] = issues;
    throw new DomainError('VALIDATION', `invalid arguments: ${first.path}: ${first.message}`, {
      details: { issues },
    });
  }
  return { ...parsed.data, ...(constraints ? { tool_constraints: constraints } : {}) };
}
