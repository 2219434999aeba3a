import { type BaseEvent, EventType } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { verifyEvents } from '@ag-ui/client';
import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, from, type OperatorFunction, toArray } from 'rxjs';
import { AgUiRunFormat, AgUiRunTranslator } from './agui-run.format.js';
import { demoTaskEvents } from './task-events.fixture.js';

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
