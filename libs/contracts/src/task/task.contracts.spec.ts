import { TaskEvent, TaskEventName } from './task.events.js';
import { taskEventsFilter, TaskEventPublished, TaskSubmitted } from './task.contracts.js';
import { TaskRequest, TaskSubmission } from './task.schemas.js';
import { demoEvents, demoSubmission } from './task.fixtures.js';

describe('task contracts', () => {
  it('accepts the seed 2 body and rejects unknown fields, wrong types and empty tasks, naming the field', () => {
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
    expect(TaskEventPublished.subject(id, 'orchestrator.step.completed')).toBe(
      `sb.evt.task.${id}.orchestrator.step.completed`,
    );
    expect(taskEventsFilter(id)).toBe(`sb.evt.task.${id}.>`);
    expect(() => taskEventsFilter('not-a-task')).toThrow();
    expect(TaskSubmitted.subject()).toBe('sb.task.submit');
  });
});
