import { describe, expect, it } from '@jest/globals';
import { ScheduleCreateRequest, scheduledTaskOf, taskRequestOf } from './schedule.schemas.js';

const issues = (body: Record<string, unknown>) => {
  const r = ScheduleCreateRequest.safeParse({ task: 'summarise', ...body });
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('ScheduleCreateRequest', () => {
  it('takes a cron with an IANA time zone, or one future time, catch-up skip by default', () => {
    expect(issues({ cron: '0 8 * * 1-5', timezone: 'Europe/Berlin' })).toEqual([]);
    const at = new Date(Date.now() + 60_000).toISOString();
    expect(ScheduleCreateRequest.parse({ task: 't', at })).toEqual({
      task: 't',
      at,
      catchUp: 'skip',
    });
  });

  it('names the field of each mistake', () => {
    expect(issues({ cron: '61 * * * *' })[0]?.[0]).toBe('cron');
    expect(issues({ cron: '* * * *' })).toEqual([
      ['cron', 'must have 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ]);
    expect(issues({ cron: '0 8 * * *', timezone: 'Mars/Olympus' })[0]?.[0]).toBe('timezone');
    expect(issues({ at: '2020-01-01T00:00:00Z' })).toEqual([['at', 'must be in the future']]);
    const later = new Date(Date.now() + 60_000).toISOString();
    expect(issues({ cron: '0 8 * * *', at: later })).toEqual([
      ['at', 'give either cron or at, not both'],
    ]);
    expect(issues({})).toEqual([['cron', 'give cron (with timezone) or at']]);
    expect(issues({ cron: '0 8 * * *', catchUp: 'all' })[0]?.[0]).toBe('catchUp');
    expect(issues({ cron: '0 8 * * *', max_steps: 3 })[0]?.[1]).toMatch(/max_steps/);
  });

  it("takes a thread's policy only with its thread, and carries it into the firing's task request", () => {
    expect(issues({ cron: '0 8 * * *', threadPolicy: 'enqueue' })).toEqual([
      ['threadPolicy', 'needs threadId'],
    ]);
    expect(issues({ cron: '0 8 * * *', threadId: 'standup', threadPolicy: 'later' })[0]?.[0]).toBe(
      'threadPolicy',
    );
    const body = { task: 't', threadId: 'standup', threadPolicy: 'interrupt' as const };
    const request = taskRequestOf(body);
    expect(request).toEqual({ task: 't', thread_id: 'standup', thread_policy: 'interrupt' });
    expect(scheduledTaskOf(request)).toEqual(body);
  });

  it("carries the agent version each firing runs, naming a bad one's field", () => {
    const body = { task: 't', agent: { name: 'support', label: 'staging' } };
    const request = taskRequestOf(body);
    expect(request).toEqual({ task: 't', agent: { name: 'support', label: 'staging' } });
    expect(scheduledTaskOf(request)).toEqual(body);
    expect(issues({ cron: '0 8 * * *', agent: { name: 'Support!' } })[0]?.[0]).toBe('agent.name');
  });
});

describe('taskRequestOf / scheduledTaskOf', () => {
  const full = {
    task: 't',
    toolConstraints: { mode: 'custom' as const, tools: ['calculator'] },
    threadId: 'standup',
    threadPolicy: 'enqueue' as const,
    maxSteps: 4,
    approval: { tools: ['calculator'] },
    webhook: { url: 'https://hooks.example.com/x', events: ['ended' as const] },
    agent: { name: 'support' },
  };
  const request = {
    task: 't',
    tool_constraints: full.toolConstraints,
    thread_id: 'standup',
    thread_policy: 'enqueue',
    max_steps: 4,
    approval: full.approval,
    webhook: full.webhook,
    agent: full.agent,
  };

  it('renames every field both ways, in the order the schemas write them', () => {
    const asRequest = taskRequestOf(full);
    expect(asRequest).toEqual(request);
    expect(Object.keys(asRequest)).toEqual(Object.keys(request));
    const asTask = scheduledTaskOf(asRequest);
    expect(asTask).toEqual(full);
    expect(Object.keys(asTask)).toEqual(Object.keys(full));
  });

  it('carries a step budget whenever it is defined, any other field only when truthy', () => {
    const empty = { task: 't', threadId: '', maxSteps: 0, approval: undefined, agent: null };
    expect(taskRequestOf(empty as never)).toStrictEqual({ task: 't', max_steps: 0 });
    const stored = { task: 't', thread_id: '', max_steps: 0, webhook: undefined, agent: null };
    expect(scheduledTaskOf(stored as never)).toStrictEqual({ task: 't', maxSteps: 0 });
    expect(taskRequestOf({ task: 't', maxSteps: undefined })).toStrictEqual({ task: 't' });
    expect(scheduledTaskOf({ task: 't', max_steps: undefined })).toStrictEqual({ task: 't' });
  });
});
