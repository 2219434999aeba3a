import { Schedules } from '@switchboard/contracts';
import { createHash } from 'node:crypto';

/** When a schedule runs, as the ticker reads it from its row. */
export interface ScheduleTiming {
  cron: string | null;
  timezone: string | null;
  /** A one-shot's time. */
  at: Date | null;
  catchUp: Schedules.ScheduleCatchUp;
  /** The due time the ticker claimed it for. */
  nextDueAt: Date;
}

/** What one claim of a due schedule does. */
export interface FiringPlan {
  /** The due time that submits a task now. */
  fire?: Date;
  /** A missed due time that catch-up skips (recorded, submits nothing). */
  skipped?: Date;
  /** The next due time; absent: the schedule is done. */
  next?: Date;
}

/** The first due time of a new (or resumed) schedule: after `now`. */
export function firstDueAt(t: Pick<ScheduleTiming, 'cron' | 'timezone' | 'at'>, now: Date) {
  if (t.at) return t.at > now ? t.at : undefined;
  if (!t.cron) return undefined;
  return Schedules.nextCronTime(t.cron, t.timezone ?? 'UTC', now);
}

/**
 * What to do with a schedule claimed at `now` for its `nextDueAt`. A due time at most `graceMs` old
 * runs (a tick is late by up to SCHEDULE_TICK_MS, a busy database a little more). An older one was
 * missed — no replica ran — and so were the times between it and now: of those, the most recent runs
 * once (`latest`) or is skipped (`skip`); either way the next due time is the first one after now, so
 * an outage of a month costs one claim, not one per missed time.
 */
export function planFiring(t: ScheduleTiming, now: Date, graceMs: number): FiringPlan {
  const onTime = (d: Date) => now.getTime() - d.getTime() <= graceMs;
  if (!t.cron) {
    // A one-shot: it runs (or is skipped) once, then it is done.
    const due = t.nextDueAt;
    return onTime(due) || t.catchUp === 'latest' ? { fire: due } : { skipped: due };
  }
  const zone = t.timezone ?? 'UTC';
  if (onTime(t.nextDueAt))
    return { fire: t.nextDueAt, next: Schedules.nextCronTime(t.cron, zone, t.nextDueAt) };
  const latest = Schedules.prevCronTime(t.cron, zone, now);
  const missed = latest > t.nextDueAt ? latest : t.nextDueAt;
  const next = Schedules.nextCronTime(t.cron, zone, now);
  if (onTime(missed) || t.catchUp === 'latest') return { fire: missed, next };
  return { skipped: missed, next };
}

/**
 * The id of the task a schedule submits for a due time: a UUID (version 8, RFC 9562) derived from
 * both, so every replica, and a republish after a crash, names the same task — JetStream drops the
 * second copy (Nats-Msg-Id) and the orchestrator's claim of a task id is once (`ON CONFLICT`).
 */
export function scheduledTaskId(scheduleId: string, dueAt: Date): string {
  const h = createHash('sha256')
    .update(`switchboard-schedule:${scheduleId}:${dueAt.toISOString()}`)
    .digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
