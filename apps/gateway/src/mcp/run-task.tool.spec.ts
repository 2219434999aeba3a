import { type DomainError, Tools } from '@switchboard/contracts';
import { RUN_TASK_TOOL, runTaskRequestOf, runTaskTool } from './run-task.tool.js';

const failure = (args: Record<string, unknown>): DomainError => {
  try {
    runTaskRequestOf(args, undefined);
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('accepted');
};

describe('switchboard.run_task', () => {
  it('is a valid manifest tool under a valid tool name', () => {
    expect(Tools.ManifestTool.parse(runTaskTool)).toEqual(runTaskTool);
    expect(Tools.ToolName.safeParse(RUN_TASK_TOOL).success).toBe(true);
  });

  it("makes a task request of its arguments, under the endpoint's narrowing", () => {
    const constraints = { mode: 'custom' as const, providers: ['notes'] };
    expect(
      runTaskRequestOf({ task: 'ask the keeper about X', thread_id: 'chat:1' }, constraints),
    ).toEqual({
      task: 'ask the keeper about X',
      thread_id: 'chat:1',
      tool_constraints: constraints,
    });
    expect(runTaskRequestOf({ task: 'what time is it' }, undefined)).toEqual({
      task: 'what time is it',
    });
    // The agent version it runs, as POST /orchestrate's `agent`.
    expect(
      runTaskRequestOf({ task: 't', agent: { name: 'support', version: 2 } }, undefined),
    ).toEqual({ task: 't', agent: { name: 'support', version: 2 } });
    expect(
      failure({ task: 't', agent: { name: 'support', version: 1, label: 'x' } }).message,
    ).toMatch(/^invalid arguments: arguments\.agent\.label: /);
  });

  it('refuses bad arguments as the task request does, naming the field', () => {
    expect(failure({ task: '  ' })).toMatchObject({
      code: 'VALIDATION',
      message: 'invalid arguments: arguments.task: must not be empty',
    });
    expect(failure({ task: 'x', thread_id: 'a b' }).message).toMatch(
      /^invalid arguments: arguments\.thread_id: /,
    );
    expect(failure({}).message).toMatch(/^invalid arguments: arguments\.task: /);
    // Only the task and its thread: the rest of a task request is not the tool's to set.
    expect(failure({ task: 'x', max_steps: 3 }).message).toMatch(/max_steps/);
    expect(failure({ task: 'x', tool_constraints: { mode: 'auto' } }).message).toMatch(
      /tool_constraints/,
    );
  });
});
