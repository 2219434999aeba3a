import { HttpAgent } from '@ag-ui/client';
import type { BaseEvent, Interrupt, RunFinishedEvent } from '@ag-ui/core';
import type { Tasks } from '@switchboard/contracts';
import { DEMO_TASK, type SharedStack, sharedStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/**
 * Approvals through AG-UI 1.0 on real processes (docs/api.md, AG-UI; docs/approvals.md), driven by the
 * official @ag-ui/client: the demo task with notes.add to approve ends its first run with an interrupt;
 * a second run on the same thread resumes it, and the task completes, writing the note once.
 */
describe('approvals over AG-UI 1.0 (real processes, @ag-ui/client HttpAgent)', () => {
  let stack: SharedStack;

  beforeAll(async () => {
    stack = await sharedStack();
  });

  afterAll(async () => {
    const refused = stack?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  const agentFor = (user: string) =>
    new HttpAgent({
      url: `${stack.gatewayUrl}/ag-ui`,
      headers: { 'x-user-id': user, 'x-user-role': 'user' },
      initialMessages: [{ id: randomUUID(), role: 'user', content: DEMO_TASK }],
    });

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  /** Runs the agent, keeping every event and the RUN_FINISHED (or RUN_ERROR) that ended the run. */
  async function run(agent: HttpAgent, params: Parameters<HttpAgent['runAgent']>[0]) {
    const events: BaseEvent[] = [];
    const result = await agent.runAgent(params, {
      onEvent: ({ event }) => void events.push(event),
    });
    return { ...result, events, last: events.at(-1) };
  }

  /** The first run: the demo task with notes.add to approve, ending at its interrupt. */
  async function interrupted(user: string) {
    const agent = agentFor(user);
    const first = await run(agent, {
      forwardedProps: { approval: { tools: ['notes.add'] } },
    });
    const finished = first.last as RunFinishedEvent;
    expect(finished.type).toBe('RUN_FINISHED');
    expect(finished.outcome?.type).toBe('interrupt');
    const interrupts = (finished.outcome as { interrupts: Interrupt[] }).interrupts;
    const taskId = (finished.result as { taskId: string }).taskId;
    return { agent, first, interrupts, taskId };
  }

  it('ends the first run with the approval as an interrupt; resuming it approves, and the task completes with one note', async () => {
    const ann = `ann-${randomUUID()}`;
    const { agent, first, interrupts, taskId } = await interrupted(ann);

    expect(interrupts).toHaveLength(1);
    const interrupt = interrupts[0]!;
    expect(interrupt).toMatchObject({
      reason: 'approval_required',
      message: expect.stringContaining('notes.add'),
      toolCallId: expect.any(String),
      responseSchema: { type: 'object', required: ['approve'] },
      expiresAt: expect.any(String),
    });
    expect(Date.parse(interrupt.expiresAt!)).toBeGreaterThan(Date.now());
    // The interrupt's tool call is the held call, shown with its arguments in this run.
    const held = first.newMessages
      .flatMap((m) => (m.role === 'assistant' ? (m.toolCalls ?? []) : []))
      .find((c) => c.id === interrupt.toolCallId);
    expect(held?.function).toEqual({ name: 'notes.add', arguments: '{"content":"391"}' });
    // The interrupt is the platform's approval.
    const pending = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}/approvals`, {
        headers: { 'x-user-id': ann },
      })
    ).json()) as { approvals: { approvalId: string; status: string; target: string }[] };
    expect(pending.approvals).toEqual([
      expect.objectContaining({ approvalId: interrupt.id, status: 'pending', target: 'notes.add' }),
    ]);
    expect(await notesOf(ann)).toEqual([]);

    // The client holds the thread's interrupt: a run must answer it.
    await expect(agent.runAgent({})).rejects.toThrow(/pending interrupt/);

    const second = await run(agent, {
      resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approve: true } }],
    });
    const types = second.events.map((e) => e.type);
    expect(types[0]).toBe('RUN_STARTED');
    expect(second.last).toMatchObject({ type: 'RUN_FINISHED', outcome: { type: 'success' } });
    // The held call's result arrives under the interrupt's tool call id; the calculation is not shown again.
    const result = second.events.find((e) => e.type === 'TOOL_CALL_RESULT') as
      (BaseEvent & { toolCallId: string }) | undefined;
    expect(result?.toolCallId).toBe(interrupt.toolCallId);
    expect(types.filter((t) => t === 'TOOL_CALL_START')).toEqual([]);
    expect(second.newMessages.at(-1)).toMatchObject({ role: 'assistant' });

    const view = await waitFor(
      async () => {
        const r = await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, {
          headers: { 'x-user-id': ann },
        });
        const t = (await r.json()) as Tasks.TaskView;
        return t.status === 'completed' ? t : undefined;
      },
      { what: 'the task stored as completed' },
    );
    expect(view.steps.map((s) => [s.target, s.status])).toEqual([
      ['calculator', 'completed'],
      ['notes.add', 'completed'],
    ]);
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);
  });

  it('a decision the orchestrator refuses ends the resuming run with RUN_ERROR and its code', async () => {
    const bob = `bob-${randomUUID()}`;
    const { agent, interrupts, taskId } = await interrupted(bob);
    const interrupt = interrupts[0]!;
    // Decided over HTTP first: the AG-UI answer comes too late.
    const decided = await fetch(`${stack.gatewayUrl}/tasks/${taskId}/approvals/${interrupt.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': bob },
      body: JSON.stringify({ decision: 'reject', reason: 'not today' }),
    });
    expect(decided.status).toBe(200);
    const events: BaseEvent[] = [];
    await agent
      .runAgent(
        { resume: [{ interruptId: interrupt.id, status: 'resolved', payload: { approve: true } }] },
        { onEvent: ({ event }) => void events.push(event) },
      )
      .catch(() => undefined); // whether the client rejects on RUN_ERROR or not, the events say it
    expect(events.map((e) => e.type)).toEqual(['RUN_STARTED', 'RUN_ERROR']);
    // A second decision, as over HTTP: CONFLICT, saying how it was decided.
    expect(events[1]).toMatchObject({
      code: 'CONFLICT',
      message: `approval ${interrupt.id} is rejected already (by ${bob})`,
    });
    expect(await notesOf(bob)).toEqual([]);
  });

  it('refuses a resume entry it cannot read, naming the field', async () => {
    const res = await fetch(`${stack.gatewayUrl}/ag-ui`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': `eve-${randomUUID()}` },
      body: JSON.stringify({
        threadId: randomUUID(),
        runId: randomUUID(),
        messages: [],
        resume: [{ interruptId: randomUUID(), status: 'resolved', payload: { approve: 'yes' } }],
      }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('resume.0.payload.approve');
  });
});
