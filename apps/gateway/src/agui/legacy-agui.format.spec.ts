import { describe, expect, it } from '@jest/globals';
import { LegacyAgUiFormat, toLegacyEvent } from './legacy-agui.format.js';
import { demoTaskEvents } from './task-events.fixture.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe('legacy AG-UI event mapping', () => {
  it('maps task events onto the legacy AG-UI types and shape', () => {
    const mapped = demoTaskEvents(TASK).map(toLegacyEvent).filter(Boolean);
    expect(mapped.map((e) => e!.event_type)).toEqual([
      'TOOL_CALL_START',
      'TOOL_OUTPUT',
      'A2A_DELEGATION_START',
      'A2A_DELEGATION_RESULT',
      'GUARDRAIL_VIOLATION',
      'AGENT_RESPONSE',
    ]);
    for (const e of mapped)
      expect(Object.keys(e!).sort()).toEqual(['data', 'event_type', 'message']);
    expect(mapped.at(-1)).toEqual({
      event_type: 'AGENT_RESPONSE',
      data: expect.objectContaining({ result: '17 * 23 = 391.', task_id: TASK }),
      message: '17 * 23 = 391.',
    });
  });

  it('ends failed and cancelled tasks with ERROR', () => {
    expect(demoTaskEvents(TASK, 'failed').map(toLegacyEvent).at(-1)).toMatchObject({
      event_type: 'ERROR',
      data: { code: 'UNSUPPORTED' },
    });
    expect(demoTaskEvents(TASK, 'cancelled').map(toLegacyEvent).at(-1)).toMatchObject({
      event_type: 'ERROR',
      data: { code: 'CANCELLED' },
    });
  });

  it('writes data-only SSE frames with the task seq as id', () => {
    const format = new LegacyAgUiFormat();
    const events = demoTaskEvents(TASK);
    expect(format.frames(events[0]!)).toEqual([]);
    const [frame] = format.frames(events.at(-1)!);
    expect(frame).toMatch(/^id: 15\ndata: \{"event_type":"AGENT_RESPONSE",/);
    expect(frame!.endsWith('\n\n')).toBe(true);
  });
});
