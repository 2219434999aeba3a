import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import { CONTEXT_MARKER, notifies, pushBodyOf, withContext } from './a2a-push.payload.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, read by assertions
type Json = Record<string, any>;

const TASK = '11111111-1111-4111-8111-111111111111';
const requested = {
  taskId: TASK,
  seq: 4,
  name: 'orchestrator.approval.requested',
  at: '2026-11-26T08:00:00.000Z',
  source: 'orchestrator',
  data: {
    approvalId: '22222222-2222-4222-8222-222222222222',
    stepId: 's1',
    kind: 'tool',
    target: 'notes.add',
    input: { text: 'hi' },
    argsHash: 'h',
    reason: 'policy',
    expiresAt: '2026-11-26T09:00:00.000Z',
  },
} as unknown as Tasks.TaskEvent;
const completed = {
  taskId: TASK,
  seq: 9,
  name: 'orchestrator.task.completed',
  at: '2026-11-26T08:01:00.000Z',
  source: 'orchestrator',
  data: { result: '391', planner: 'builtin', steps: 1, durationMs: 3 },
} as unknown as Tasks.TaskEvent;

describe('A2A push notification payloads', () => {
  it('announces approval requests and task ends only', () => {
    expect(notifies('orchestrator.approval.requested')).toBe(true);
    expect(notifies('orchestrator.task.cancelled')).toBe(true);
    expect(notifies('orchestrator.step.completed')).toBe(false);
    expect(
      pushBodyOf(
        TASK,
        { ...completed, name: 'orchestrator.task.started' } as Tasks.TaskEvent,
        '1.0',
      ),
    ).toBeUndefined();
  });

  it('writes an approval request as an A2A 1.0 statusUpdate (INPUT_REQUIRED) in the thread', () => {
    const body = pushBodyOf(TASK, requested, '1.0')!;
    expect(body).toContain(CONTEXT_MARKER);
    const json = JSON.parse(withContext(body, 'thread-1')) as Json;
    expect(json['statusUpdate']).toMatchObject({
      taskId: TASK,
      contextId: 'thread-1',
      status: {
        state: 'TASK_STATE_INPUT_REQUIRED',
        timestamp: '2026-11-26T08:00:00.000Z',
        message: { role: 'ROLE_AGENT', taskId: TASK, contextId: 'thread-1' },
      },
      metadata: { seq: 4, event: 'orchestrator.approval.requested' },
    });
    const parts = json['statusUpdate'].status.message.parts;
    expect(parts[0].text).toMatch(/notes\.add waits for a decision/);
    expect(parts[1].data.approvals[0]).toMatchObject({ target: 'notes.add', kind: 'tool' });
  });

  it('writes the end as a 0.3 Task for configs set over 0.3', () => {
    const json = JSON.parse(withContext(pushBodyOf(TASK, completed, '0.3')!, '')) as Json;
    expect(json).toMatchObject({
      kind: 'task',
      id: TASK,
      contextId: '',
      status: {
        state: 'completed',
        message: { kind: 'message', role: 'agent', parts: [{ kind: 'text', text: '391' }] },
      },
    });
  });

  it('keeps a text that looks like the marker apart from it', () => {
    const tricky = {
      ...completed,
      data: { ...completed.data, result: 'context' },
    } as Tasks.TaskEvent;
    const body = pushBodyOf(TASK, tricky, '1.0')!;
    expect(body.split(CONTEXT_MARKER)).toHaveLength(3);
  });
});
