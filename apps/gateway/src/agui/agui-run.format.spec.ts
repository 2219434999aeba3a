import { type BaseEvent, EventType } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { verifyEvents } from '@ag-ui/client';
import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, from, type OperatorFunction, toArray } from 'rxjs';
import { AgUiRunFormat, AgUiRunTranslator } from './agui-run.format.js';
import { APPROVAL_RESPONSE_SCHEMA, heldToolCallId } from './agui-interrupts.js';
import { approvalTaskEvents, DEMO_APPROVAL, demoTaskEvents } from './task-events.fixture.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function run(ending: 'completed' | 'failed' | 'cancelled'): BaseEvent[] {
  let n = 0;
  const t = new AgUiRunTranslator('thread-1', 'run-1', TASK, () => `m${++n}`);
  return [...t.start(), ...demoTaskEvents(TASK, ending).flatMap((e) => t.translate(e))];
}

/** The official client's verifier: throws on any ordering violation. */
// The client bundles its own rxjs copy; its operator works on ours at run time.
const verifier = verifyEvents(false) as unknown as OperatorFunction<BaseEvent, BaseEvent>;
const verify = (events: BaseEvent[]) => firstValueFrom(from(events).pipe(verifier, toArray()));

describe('AG-UI 1.0 run translation', () => {
  it('produces a run the official verifier accepts, ending with the answer and RUN_FINISHED', async () => {
    const events = run('completed');
    await expect(verify(events)).resolves.toHaveLength(events.length);
    for (const e of events) expect(EventSchemas.safeParse(e).success).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.CUSTOM,
      EventType.STEP_STARTED,
      EventType.STEP_FINISHED,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_ARGS,
      EventType.TOOL_CALL_END,
      EventType.TOOL_CALL_RESULT,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_ARGS,
      EventType.TOOL_CALL_END,
      EventType.TOOL_CALL_RESULT,
      EventType.CUSTOM,
      EventType.STEP_STARTED,
      // The second planning round never completes before the answer: it is closed first.
      EventType.STEP_FINISHED,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_FINISHED,
    ]);
    expect(events.find((e) => e.type === EventType.TOOL_CALL_START)).toMatchObject({
      toolCallName: 'calculator',
    });
    expect(events.filter((e) => e.type === EventType.TOOL_CALL_START)[1]).toMatchObject({
      toolCallName: 'a2a.researcher',
    });
    expect(events.find((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)).toMatchObject({
      delta: '17 * 23 = 391.',
    });
  });

  it('ends a failed task with RUN_ERROR last and a cancelled one with RUN_FINISHED (cancelled)', async () => {
    const failed = run('failed');
    await expect(verify(failed)).resolves.toBeDefined();
    expect(failed.at(-1)).toEqual({
      type: EventType.RUN_ERROR,
      message: 'does not understand',
      code: 'UNSUPPORTED',
    });
    const cancelled = run('cancelled');
    await expect(verify(cancelled)).resolves.toBeDefined();
    expect(cancelled.at(-1)).toMatchObject({
      type: EventType.RUN_FINISHED,
      outcome: { type: 'cancelled' },
    });
  });

  it('ignores events after the end and duplicate step events', () => {
    const t = new AgUiRunTranslator('th', 'r', TASK);
    const events = demoTaskEvents(TASK);
    const dispatch = events[4]!;
    expect(t.translate(dispatch)).toHaveLength(3);
    expect(t.translate(dispatch)).toEqual([]);
    for (const e of events) t.translate(e);
    expect(t.isFinished).toBe(true);
    expect(t.translate(events[0]!)).toEqual([]);
  });

  it('encodes frames as `data: <json>` lines', () => {
    const format = new AgUiRunFormat(new AgUiRunTranslator('th', 'r', TASK));
    const [first] = format.opening();
    expect(first).toBe('data: {"type":"RUN_STARTED","threadId":"th","runId":"r"}\n\n');
  });
});

describe('AG-UI 1.0 runs of a task that waits for approval', () => {
  const events = approvalTaskEvents(TASK);
  const asked = events.findIndex((e) => e.name === 'orchestrator.approval.requested');
  const heldId = heldToolCallId(TASK, 's2', DEMO_APPROVAL);
  const pending = [
    {
      approvalId: DEMO_APPROVAL,
      stepId: 's2',
      kind: 'tool' as const,
      target: 'notes.add',
      input: { content: '391' },
      reason: 'save the result as a note',
      expiresAt: '2026-11-23T10:00:00.000Z',
    },
  ];

  it('shows the held call and ends with RUN_FINISHED interrupt, one per pending approval', async () => {
    const t = new AgUiRunTranslator('thread-1', 'run-1', TASK);
    const out = [...t.start(), ...events.slice(0, asked + 1).flatMap((e) => t.translate(e))];
    expect(t.isInterrupted).toBe(true);
    out.push(...t.interrupt(pending));
    expect(t.isFinished).toBe(true);
    await expect(verify(out)).resolves.toHaveLength(out.length);
    for (const e of out) expect(EventSchemas.safeParse(e).success).toBe(true);
    const started = out.filter((e) => e.type === EventType.TOOL_CALL_START);
    expect(started.at(-1)).toEqual({
      type: EventType.TOOL_CALL_START,
      toolCallId: heldId,
      toolCallName: 'notes.add',
    });
    expect(out.at(-1)).toEqual({
      type: EventType.RUN_FINISHED,
      threadId: 'thread-1',
      runId: 'run-1',
      result: { taskId: TASK, status: 'waiting_approval' },
      outcome: {
        type: 'interrupt',
        interrupts: [
          {
            id: DEMO_APPROVAL,
            reason: 'approval_required',
            message:
              'Approve the call of notes.add with {"content":"391"}? The planner made it to: save the result as a note',
            toolCallId: heldId,
            responseSchema: APPROVAL_RESPONSE_SCHEMA,
            expiresAt: '2026-11-23T10:00:00.000Z',
            metadata: { taskId: TASK, stepId: 's2', target: 'notes.add' },
          },
        ],
      },
    });
  });

  it('goes on when nothing is pending any more (decided meanwhile)', () => {
    const t = new AgUiRunTranslator('th', 'r', TASK);
    events.slice(0, asked + 1).forEach((e) => t.translate(e));
    expect(t.interrupt([])).toEqual([]);
    expect(t.isInterrupted).toBe(false);
    expect(t.isFinished).toBe(false);
  });

  it('a resumed run skips what the first showed and gives the held call its result', async () => {
    const t = new AgUiRunTranslator('thread-1', 'run-2', TASK, () => 'm', {
      approvalIds: new Set([DEMO_APPROVAL]),
    });
    // Replayed from an earlier seq than where the first run ended: those events are not shown again.
    const out = [...t.start(), ...events.slice(2).flatMap((e) => t.translate(e))];
    await expect(verify(out)).resolves.toHaveLength(out.length);
    expect(out.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.CUSTOM,
      EventType.CUSTOM,
      EventType.TOOL_CALL_RESULT,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_FINISHED,
    ]);
    expect(out[2]).toMatchObject({
      name: 'switchboard.approval_decided',
      value: { approvalId: DEMO_APPROVAL, toolCallId: heldId, status: 'approved' },
    });
    expect(out[3]).toMatchObject({ toolCallId: heldId, content: '{"id":1}' });
    expect(out.at(-1)).toMatchObject({ outcome: { type: 'success' } });
  });

  it('a rejected call gets its refusal as the result', () => {
    const t = new AgUiRunTranslator('th', 'r', TASK, () => 'm', {
      approvalIds: new Set([DEMO_APPROVAL]),
    });
    const out = approvalTaskEvents(TASK, 'rejected').flatMap((e) => t.translate(e));
    expect(out.find((e) => e.type === EventType.TOOL_CALL_RESULT)).toMatchObject({
      toolCallId: heldId,
      content: JSON.stringify({
        error: { code: 'FORBIDDEN', message: 'the call of notes.add was rejected by u1' },
      }),
    });
  });

  it('a refused decision ends the run with RUN_ERROR and its code', async () => {
    const t = new AgUiRunTranslator('th', 'r', TASK);
    const out = [...t.start(), ...t.error('CONFLICT', 'decided already')];
    await expect(verify(out)).resolves.toHaveLength(out.length);
    expect(out.at(-1)).toEqual({
      type: EventType.RUN_ERROR,
      message: 'decided already',
      code: 'CONFLICT',
    });
    expect(t.translate(events.at(-1)!)).toEqual([]);
  });
});
