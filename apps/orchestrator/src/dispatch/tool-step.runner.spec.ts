import { jest } from '@jest/globals';
import { DomainError, type Tasks, Tools } from '@switchboard/contracts';
import type { JetStreamService, NatsBus, RequestOptions } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import type { DispatchContext } from './dispatch.context.js';
import { ToolStepRunner } from './tool-step.runner.js';

const action: Tasks.PlanAction = {
  id: 's2',
  kind: 'tool',
  target: 'notes.add',
  input: { content: '391' },
  description: 'save a note',
};

function setup(reply: (opts: RequestOptions) => Promise<Tools.ToolCallResult>) {
  const stored: Tasks.TaskEvent[] = [];
  const jetstream = {
    publish: async (_c: unknown, _t: unknown, b: Tasks.TaskEventBatch) =>
      void stored.push(...b.events),
  } as unknown as JetStreamService;
  const calls: { request: Tools.ToolCallRequest; opts: RequestOptions }[] = [];
  const bus = {
    request: async (_c: unknown, request: Tools.ToolCallRequest, opts: RequestOptions) => {
      calls.push({ request, opts });
      return reply(opts);
    },
  } as unknown as NatsBus;
  const taskId = randomUUID();
  const deadline = Date.now() + 120_000;
  const ctx: DispatchContext = {
    taskId,
    actor: { userId: 'alice', role: 'user' },
    constraints: undefined,
    events: new TaskEventSequence(taskId, 0, 'orchestrator', jetstream),
    index: 1,
    signal: new AbortController().signal,
    timeoutMs: 120_000,
    retry: { deadline, maxOutageMs: 30_000 },
    resumed: false,
    screen: () => undefined,
  };
  const warn = jest.fn();
  return { sut: new ToolStepRunner(bus, { warn }), ctx, calls, stored, warn };
}

describe(ToolStepRunner.name, () => {
  it("sends the call with the step's idempotency key under the task's retry budget", async () => {
    const t = setup(async () => ({
      tool: 'notes.add',
      output: { id: 'n1' },
      durationMs: 3,
      replayed: true,
    }));
    expect(await t.sut.run(action, action.input, t.ctx)).toEqual({ id: 'n1' });
    const [call] = t.calls;
    expect(call?.request).toMatchObject({
      tool: 'notes.add',
      taskId: t.ctx.taskId,
      stepId: 's2',
      idempotencyKey: `${t.ctx.taskId}:s2`,
    });
    expect(call?.opts).toMatchObject({
      deadline: t.ctx.retry.deadline,
      maxOutageMs: 30_000,
      timeoutMs: Tools.ToolsCall.timeoutMs,
    });
    // What the bus reports about a retry is logged with the step.
    call?.opts.onRetry?.(new DomainError('TIMEOUT', 'no reply'), 1, 100);
    expect(t.warn).toHaveBeenCalledWith(
      expect.objectContaining({ stepId: 's2', tool: 'notes.add', attempt: 1 }),
      expect.stringContaining('same idempotency key'),
    );
  });

  it('reports a call that failed after its retries as mcp.task.failed with the retryable error', async () => {
    const away = new DomainError('UPSTREAM_UNAVAILABLE', 'mcp-tools is not available', {
      retryable: true,
    });
    const t = setup(async () => {
      throw away;
    });
    await expect(t.sut.run(action, action.input, t.ctx)).rejects.toBe(away);
    await t.ctx.events.flush();
    expect(t.stored.map((e) => e.name)).toEqual(['mcp.task.started', 'mcp.task.failed']);
    const failed = t.stored[1];
    expect(failed?.name === 'mcp.task.failed' && failed.data.error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });
});
