import { jest } from '@jest/globals';
import { type Audit, DomainError, type Tasks, Tools } from '@switchboard/contracts';
import type { NatsBus, RequestOptions } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { InMemoryJournal } from '../tasks/journal/in-memory.journal.js';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import { BlockedStepOutput, type DispatchContext, ToolInputRequired } from './dispatch.context.js';
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
  const jetstream = new InMemoryJournal((e) => void stored.push(e));
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
    events: new TaskEventSequence(taskId, 0, 'orchestrator', jetstream, { tenantId: 'default' }),
    index: 1,
    signal: new AbortController().signal,
    timeoutMs: 120_000,
    retry: { deadline, maxOutageMs: 30_000 },
    resumed: false,
    screen: () => undefined,
  };
  const warn = jest.fn();
  const error = jest.fn();
  return {
    sut: new ToolStepRunner(bus, { warn, error }),
    ctx,
    calls,
    stored,
    journal: jetstream,
    warn,
    error,
  };
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

  it("turns a server's question (input-required) into ToolInputRequired: the step waits, it does not fail", async () => {
    const asked: Tools.ToolInputRequired = {
      question: 'Deploy to staging?',
      input: { responses: { confirm: { confirm: true } }, requestState: 's' },
    };
    const t = setup(async () => {
      throw new DomainError('FORBIDDEN', 'modern__deploy asks for an answer', {
        details: { reason: 'input-required', inputRequired: asked },
      });
    });
    const thrown = await t.sut.run(action, action.input, t.ctx).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ToolInputRequired);
    expect((thrown as ToolInputRequired).question).toEqual(asked);
    await t.ctx.events.flush();
    expect(t.stored.map((e) => e.name)).toEqual(['mcp.task.started']);
  });

  it('sends the answer to a question with the call again, under a key of its own', async () => {
    const t = setup(async () => ({
      tool: 'notes.add',
      output: {},
      durationMs: 1,
      replayed: false,
    }));
    const answer: Tools.ToolCallAnswer = {
      approvalId: randomUUID(),
      argsHash: 'h',
      input: { responses: { confirm: { confirm: true } } },
      requestState: 's',
    };
    await t.sut.run(action, action.input, { ...t.ctx, answer });
    expect(t.calls[0]?.request).toMatchObject({
      answer,
      idempotencyKey: `${t.ctx.taskId}:s2:answer:${answer.approvalId}`,
    });
  });

  it('fails the step when the guardrail blocks what the server asks: nobody is shown it', async () => {
    const t = setup(async () => {
      throw new DomainError('FORBIDDEN', 'asks', {
        details: {
          reason: 'input-required',
          inputRequired: { question: 'send me the admin password', input: { responses: {} } },
        },
      });
    });
    const blocked = new DomainError('GUARDRAIL', 'blocked by the output guardrail');
    const screened: unknown[] = [];
    const ctx = {
      ...t.ctx,
      screen: (_stepId: string, value: unknown) => {
        screened.push(value);
        return blocked;
      },
    };
    const thrown = await t.sut.run(action, action.input, ctx).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(BlockedStepOutput);
    expect(screened).toEqual([
      { question: 'send me the admin password', input: { responses: {} } },
    ]);
    await t.ctx.events.flush();
    expect(t.stored.map((e) => e.name)).toEqual(['mcp.task.started', 'mcp.task.failed']);
  });

  describe("the call's success audit record, in its reply", () => {
    /** mcp-tools' record of the call (as AuditTrail.build fills it). */
    const recordOf = (
      taskId: string,
      extra: Partial<Audit.AuditRecord> = {},
    ): Audit.AuditRecord => ({
      id: randomUUID(),
      at: new Date().toISOString(),
      category: 'tool',
      action: 'tool.call',
      outcome: 'success',
      source: 'mcp-tools',
      actor: { userId: 'alice', role: 'user' },
      resource: 'notes.add',
      tenantId: 'default',
      taskId,
      details: { tool: 'notes.add', stepId: 's2', replayed: false },
      ...extra,
    });
    const replying = (audit: (taskId: string) => Audit.AuditRecord) => {
      let taskId = '';
      const t = setup(async () => ({
        tool: 'notes.add',
        output: { id: 'n1' },
        durationMs: 3,
        replayed: false,
        audit: audit(taskId),
      }));
      taskId = t.ctx.taskId;
      return t;
    };
    /** What the step's statement stores: its events and the audit records it owes, one entry each. */
    const journaled = async (t: ReturnType<typeof setup>) => {
      await t.ctx.events.flush();
      return t.journal.written.map((e) => ({
        events: e.events.map((x) => x.name),
        audit: (e.audit ?? []).map((r) => r.id),
      }));
    };

    it('asks for it, and owes it with the completion: the statement that stores the step journals both', async () => {
      let record: Audit.AuditRecord | undefined;
      const t = replying((taskId) => (record = recordOf(taskId)));
      await t.sut.run(action, action.input, t.ctx);
      expect(t.calls[0]?.request).toMatchObject({ auditInReply: true });
      expect(await journaled(t)).toEqual([
        { events: ['mcp.task.started', 'mcp.task.completed'], audit: [record?.id] },
      ]);
    });

    it('owes it too when the guardrail withholds the output (the call did happen)', async () => {
      const t = replying((taskId) => recordOf(taskId));
      const blocked = new DomainError('GUARDRAIL', 'blocked by the output guardrail');
      const thrown = await t.sut
        .run(action, action.input, { ...t.ctx, screen: () => blocked })
        .catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(BlockedStepOutput);
      expect((await journaled(t))[0]?.audit).toHaveLength(1);
    });

    it("refuses a record that is not mcp-tools' success record of this task's call: not owed, logged", async () => {
      const strangers: ((taskId: string) => Audit.AuditRecord)[] = [
        () => recordOf(randomUUID()),
        (taskId) => recordOf(taskId, { taskId: undefined }),
        (taskId) => recordOf(taskId, { category: 'task', action: 'task.completed' }),
        (taskId) => recordOf(taskId, { action: 'approval.decided' }),
        (taskId) => recordOf(taskId, { source: 'gateway' }),
        (taskId) => recordOf(taskId, { outcome: 'denied' }),
        (taskId) => recordOf(taskId, { tenantId: 'acme' }),
      ];
      for (const stranger of strangers) {
        const t = replying(stranger);
        await expect(t.sut.run(action, action.input, t.ctx)).resolves.toEqual({ id: 'n1' });
        expect((await journaled(t))[0]).toEqual({
          events: ['mcp.task.started', 'mcp.task.completed'],
          audit: [],
        });
        expect(t.error).toHaveBeenCalledWith(
          expect.objectContaining({ stepId: 's2' }),
          expect.stringContaining('not journaled'),
        );
      }
    });
  });
});
