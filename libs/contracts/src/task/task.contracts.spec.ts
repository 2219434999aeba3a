import { fitTaskEvent, TaskEvent, TaskEventName } from './task.events.js';
import {
  APPROVALS_REQUESTED_FILTER,
  TASK_ENDS_FILTER,
  taskEventsFilter,
  TaskEventPublished,
  TaskList,
  TaskSubmitted,
  tenantTaskEventsFilter,
} from './task.contracts.js';
import { TaskSubmission } from './task-submission.schemas.js';
import { TaskRequest } from './task.schemas.js';
import { demoEvents, demoSubmission } from './task.fixtures.js';

describe('task contracts', () => {
  it('accepts the orchestrate request body and rejects unknown fields, wrong types and empty tasks, naming the field', () => {
    expect(
      TaskRequest.safeParse({
        task: 'hi',
        tool_constraints: { mode: 'custom', providers: ['notes'] },
      }).success,
    ).toBe(true);
    const unknown = TaskRequest.safeParse({ task: 'hi', colour: 'red' });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain('colour');
    const wrongType = TaskRequest.safeParse({ task: 42 });
    expect(wrongType.error?.issues[0]?.path).toEqual(['task']);
    expect(TaskRequest.safeParse({ task: '   ' }).success).toBe(false);
    expect(TaskRequest.safeParse({ task: 'x'.repeat(8_001) }).success).toBe(false);
    expect(
      TaskRequest.safeParse({ task: 'x', tool_constraints: { mode: 'sometimes' } }).success,
    ).toBe(false);
  });

  it('parses its fixtures', () => {
    expect(TaskSubmission.parse(demoSubmission)).toEqual(demoSubmission);
    for (const e of demoEvents) expect(TaskEvent.parse(e)).toEqual(e);
  });

  it('rejects an event whose data does not match its name', () => {
    const [started] = demoEvents;
    expect(TaskEvent.safeParse({ ...started, name: TaskEventName.TaskCompleted }).success).toBe(
      false,
    );
  });

  it('builds subjects operators can tail per task', () => {
    const id = demoSubmission.taskId;
    expect(TaskEventPublished.subject(id, 'acme', 'orchestrator.step.completed')).toBe(
      `sb.evt.task.${id}.acme.orchestrator.step.completed`,
    );
    // one task's filter also matches the events stored before subjects named the tenant
    expect(taskEventsFilter(id)).toBe(`sb.evt.task.${id}.*.>`);
    expect(tenantTaskEventsFilter('acme')).toBe('sb.evt.task.*.acme.>');
    expect(() => tenantTaskEventsFilter('acme.>')).toThrow();
    expect(() => taskEventsFilter('not-a-task')).toThrow();
    expect(TaskSubmitted.subject()).toBe('sb.task.submit');
  });

  it("filters the stored messages a webhook's durable reads: task ends and approval requests only", () => {
    const id = demoSubmission.taskId;
    const matches = (filter: string, subject: string): boolean => {
      const [f, s] = [filter.split('.'), subject.split('.')];
      return f.every((t, i) => t === '>' || (i < s.length && (t === '*' || t === s[i])))
        ? f.at(-1) === '>'
          ? s.length >= f.length
          : s.length === f.length
        : false;
    };
    const subject = (event: string) => TaskEventPublished.subject(id, 'acme', event);
    for (const end of ['completed', 'failed', 'cancelled'])
      expect(matches(TASK_ENDS_FILTER, subject(`orchestrator.task.${end}`))).toBe(true);
    for (const other of [
      'orchestrator.step.completed',
      'orchestrator.planning.completed',
      'mcp.task.completed',
      'orchestrator.approval.requested',
      'a2a.delegation.result',
    ])
      expect([other, matches(TASK_ENDS_FILTER, subject(other))]).toEqual([other, false]);
    expect(matches(APPROVALS_REQUESTED_FILTER, subject('orchestrator.approval.requested'))).toBe(
      true,
    );
    expect(matches(APPROVALS_REQUESTED_FILTER, subject('orchestrator.approval.decided'))).toBe(
      false,
    );
    expect(matches(APPROVALS_REQUESTED_FILTER, subject('orchestrator.task.completed'))).toBe(false);
  });

  it('fits an event whose data broke its schema, keeping its name and seq', () => {
    const action = (i: number) => ({
      id: `s${i}`,
      kind: 'tool' as const,
      target: 'a'.repeat(200),
      input: { expression: '1+1', note: 'a\u0000b' },
      description: `calculate ${'1+'.repeat(300)}1`,
    });
    const event = {
      taskId: demoSubmission.taskId,
      seq: 4,
      at: '2026-11-22T10:00:00.010Z',
      source: 'orchestrator',
      name: 'orchestrator.planning.completed',
      data: { planner: 'builtin', iteration: 1, plan: [action(1), action(2)], decision: 'actions' },
    } as TaskEvent;
    expect(TaskEvent.safeParse(event).success).toBe(false);
    const fitted = fitTaskEvent(event);
    expect(fitted).toMatchObject({ seq: 4, name: 'orchestrator.planning.completed' });
    const plan = fitted?.name === 'orchestrator.planning.completed' ? fitted.data.plan : [];
    expect(plan).toHaveLength(2);
    expect(plan[0]?.target).toHaveLength(128);
    expect(plan[0]?.description).toHaveLength(500);
    expect(plan[0]?.input).toEqual({ expression: '1+1', note: 'a\uFFFDb' });
    // A valid event is returned as it is.
    for (const e of demoEvents) expect(fitTaskEvent(e)).toEqual(e);
  });
});

describe('task list contract', () => {
  it('defaults the page size and refuses unknown fields and bad cursors, naming them', () => {
    expect(TaskList.request.parse({})).toEqual({ limit: 50 });
    const unknown = TaskList.request.safeParse({ owner: 'x' });
    expect(JSON.stringify(unknown.error?.issues)).toContain('owner');
    const cursor = TaskList.request.safeParse({ before: '2026-11-22' });
    expect(cursor.error?.issues[0]?.path).toEqual(['before']);
    expect(
      TaskList.request.safeParse({
        before: `2026-11-22T10:00:00.000Z_${demoSubmission.taskId}`,
        status: ['running', 'failed'],
      }).success,
    ).toBe(true);
    expect(TaskList.request.safeParse({ limit: 201 }).success).toBe(false);
  });
});
