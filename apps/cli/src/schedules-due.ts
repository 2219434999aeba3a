// `switchboard schedules due`: the schedules' due and upcoming firings (docs/schedules.md), asked of
// the orchestrator that owns them (sb.cmd.orchestrator.schedule.due.list) as the other commands ask.
import { Schedules } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { SchedulesDueCommand } from './args.js';
import type { CallOutput } from './call.js';

type DueReply = { now: string; due: Schedules.ScheduleDue[] };

/** Sends the query and prints its answer: a table, or the reply as JSON (`--json`). */
export async function schedulesDue(
  bus: NatsBus,
  cmd: SchedulesDueCommand,
  out: CallOutput,
): Promise<void> {
  const reply = await bus.request(
    Schedules.ScheduleDueList,
    { withinMs: cmd.withinMs, limit: cmd.limit },
    { actor: cmd.actor, ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}) },
  );
  if (cmd.json) out.line(JSON.stringify(reply));
  else for (const line of dueTable(reply)) out.line(line);
}

/** `in 4m 10s`, `overdue 12s`: how far a due time is from now. */
export function relative(dueAt: string, now: string): string {
  const ms = Date.parse(dueAt) - Date.parse(now);
  const s = Math.round(Math.abs(ms) / 1000);
  const text =
    s >= 3600
      ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m ${s % 60}s`
        : `${s}s`;
  return ms <= 0 ? `overdue ${text}` : `in ${text}`;
}

/** One line per firing, soonest first, under a header; a line saying so when none is due. */
export function dueTable(reply: DueReply): string[] {
  if (reply.due.length === 0) return ['no schedule is due in that time'];
  const rows = reply.due.map((d) => [
    d.nextDueAt,
    relative(d.nextDueAt, reply.now),
    d.scheduleId,
    `${d.tenantId}/${d.userId}`,
    d.cron ? `${d.cron} (${d.timezone ?? 'UTC'})` : 'once',
    d.task.length > 40 ? `${d.task.slice(0, 39)}…` : d.task,
  ]);
  const header = ['DUE', 'WHEN', 'SCHEDULE', 'OWNER', 'RUNS', 'TASK'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
