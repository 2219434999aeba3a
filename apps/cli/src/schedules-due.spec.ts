import { describe, expect, it } from '@jest/globals';
import type { NatsBus } from '@switchboard/messaging';
import { parseCommandLine, type SchedulesDueCommand, UsageError } from './args.js';
import { dueTable, relative, schedulesDue } from './schedules-due.js';

const NOW = '2026-11-25T10:00:00.000Z';
const reply = {
  now: NOW,
  due: [
    {
      scheduleId: '11111111-1111-4111-8111-111111111111',
      tenantId: 'acme',
      userId: 'ann',
      nextDueAt: '2026-11-25T09:59:48.000Z',
      overdue: true,
      cron: '* * * * *',
      timezone: 'Europe/Berlin',
      task: 'summarise the tickets',
    },
    {
      scheduleId: '22222222-2222-4222-8222-222222222222',
      tenantId: 'globex',
      userId: 'gus',
      nextDueAt: '2026-11-25T10:04:10.000Z',
      overdue: false,
      task: 'a task whose text is much longer than forty characters in all',
    },
  ],
};

describe('switchboard schedules due', () => {
  it('parses its flags, as the platform operator, with an hour ahead by default', () => {
    expect(parseCommandLine(['schedules', 'due'])).toMatchObject({
      name: 'schedules due',
      actor: { role: 'platform-admin' },
      withinMs: 3_600_000,
      limit: 100,
      json: false,
    });
    expect(parseCommandLine(['schedules', 'due', '--within', '5', '--json'])).toMatchObject({
      withinMs: 300_000,
      json: true,
    });
    expect(() => parseCommandLine(['schedules', 'due', '--limit', '0'])).toThrow(UsageError);
    expect(() => parseCommandLine(['schedules', 'later'])).toThrow(/unknown subcommand "later"/);
  });

  it('asks the orchestrator for the due list and prints it soonest first, overdue ones said', async () => {
    const sent: unknown[][] = [];
    const bus = {
      request: async (...args: unknown[]) => {
        sent.push(args);
        return reply;
      },
    } as unknown as NatsBus;
    const lines: string[] = [];
    const cmd = parseCommandLine(['schedules', 'due', '--within', '10']) as SchedulesDueCommand;
    await schedulesDue(bus, cmd, { line: (l) => lines.push(l) });
    expect((sent[0]?.[0] as { subject: string }).subject).toBe(
      'sb.cmd.orchestrator.schedule.due.list',
    );
    expect(sent[0]?.[1]).toEqual({ withinMs: 600_000, limit: 100 });
    expect(lines[0]).toMatch(/^DUE\s+WHEN\s+SCHEDULE\s+OWNER\s+RUNS\s+TASK$/);
    expect(lines[1]).toContain('overdue 12s');
    expect(lines[1]).toContain('acme/ann');
    expect(lines[1]).toContain('* * * * * (Europe/Berlin)');
    expect(lines[2]).toContain('in 4m 10s');
    expect(lines[2]).toContain('once');
    expect(lines[2]).toContain('a task whose text is much longer than f…');
  });

  it('says when nothing is due, and measures hours', () => {
    expect(dueTable({ now: NOW, due: [] })).toEqual(['no schedule is due in that time']);
    expect(relative('2026-11-25T12:30:00.000Z', NOW)).toBe('in 2h 30m');
  });
});
