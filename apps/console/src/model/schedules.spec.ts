import { describe, expect, it } from '@jest/globals';
import {
  type ScheduleForm,
  scheduleBody,
  statusWords,
  threadWords,
  timingWords,
} from './schedules';

const NOW = new Date('2026-11-25T10:00:00Z');
const form = (over: Partial<ScheduleForm> = {}): ScheduleForm => ({
  task: ' summarise the tickets ',
  kind: 'cron',
  cron: '0  8 * * 1-5',
  timezone: 'Europe/Berlin',
  at: '',
  catchUp: 'skip',
  maxSteps: '',
  threadId: '',
  threadPolicy: '',
  ...over,
});

describe(scheduleBody.name, () => {
  it('sends a cron schedule with its time zone, the text trimmed', () => {
    expect(scheduleBody(form({ maxSteps: '5' }), NOW)).toEqual({
      ok: true,
      body: {
        task: 'summarise the tickets',
        catchUp: 'skip',
        maxSteps: 5,
        cron: '0 8 * * 1-5',
        timezone: 'Europe/Berlin',
      },
    });
  });

  it('sends a one-shot as an absolute time', () => {
    const checked = scheduleBody(form({ kind: 'at', at: '2026-11-25T11:30:00Z' }), NOW);
    expect(checked).toEqual({
      ok: true,
      body: { task: 'summarise the tickets', catchUp: 'skip', at: '2026-11-25T11:30:00.000Z' },
    });
  });

  it('names what is missing or wrong before anything is sent', () => {
    expect(scheduleBody(form({ task: ' ' }), NOW)).toMatchObject({ ok: false });
    expect(scheduleBody(form({ cron: '0 8 * *' }), NOW)).toEqual({
      ok: false,
      problem: 'A cron expression has 5 fields: minute hour day month weekday.',
    });
    expect(scheduleBody(form({ kind: 'at', at: '2026-11-25T09:00:00Z' }), NOW)).toEqual({
      ok: false,
      problem: 'Choose a time in the future.',
    });
    expect(scheduleBody(form({ maxSteps: 'ten' }), NOW)).toMatchObject({ ok: false });
  });

  it('sends the thread and its policy, and asks for a thread before sending a policy alone', () => {
    const checked = scheduleBody(form({ threadId: ' standup ', threadPolicy: 'reject' }), NOW);
    expect(checked).toMatchObject({
      ok: true,
      body: { threadId: 'standup', threadPolicy: 'reject' },
    });
    const noPolicy = scheduleBody(form({ threadId: 'standup' }), NOW);
    expect(noPolicy.ok && 'threadPolicy' in noPolicy.body).toBe(false);
    expect(scheduleBody(form({ threadPolicy: 'enqueue' }), NOW)).toEqual({
      ok: false,
      problem: 'A thread policy needs a thread: name the thread.',
    });
  });
});

describe('schedule words', () => {
  it('says when it runs and how it stands', () => {
    const base = {
      scheduleId: 's',
      tenantId: 't',
      userId: 'u',
      task: 'x',
      catchUp: 'skip' as const,
      firedCount: 0,
      createdAt: '',
      updatedAt: '',
    };
    expect(timingWords({ ...base, status: 'active', cron: '* * * * *' })).toBe('* * * * * (UTC)');
    expect(timingWords({ ...base, status: 'done', at: '2026-11-25T11:30:00.000Z' })).toBe(
      'once at 2026-11-25T11:30:00.000Z',
    );
    expect(statusWords({ ...base, status: 'paused' })).toBe('Paused');
    expect(threadWords({ ...base, status: 'active' })).toBe('');
    expect(threadWords({ ...base, status: 'active', threadId: 'standup' })).toBe('thread standup');
    expect(
      threadWords({ ...base, status: 'active', threadId: 'standup', threadPolicy: 'interrupt' }),
    ).toBe('thread standup (interrupt when busy)');
  });
});
