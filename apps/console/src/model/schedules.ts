import type { Schedules } from '@switchboard/contracts';

export type ScheduleView = Schedules.ScheduleView;
export type ScheduleFiringView = Schedules.ScheduleFiringView;
export type ScheduleCatchUp = Schedules.ScheduleCatchUp;
/** A thread's policy for a firing into a busy thread; '' = the orchestrator's default. */
export type ScheduleThreadPolicy = '' | NonNullable<Schedules.ScheduleView['threadPolicy']>;

/** What the create form holds. */
export interface ScheduleForm {
  task: string;
  /** `cron`: a cron expression in a time zone; `at`: once, at a local date and time. */
  kind: 'cron' | 'at';
  cron: string;
  timezone: string;
  /** `<input type="datetime-local">`'s value: the browser's local time, no offset. */
  at: string;
  catchUp: ScheduleCatchUp;
  maxSteps: string;
  /** The thread its tasks join ('' = none), and what a firing into a busy one does. */
  threadId: string;
  threadPolicy: ScheduleThreadPolicy;
}

/** The browser's time zone (what a new cron schedule runs in unless changed). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The body of `POST /schedules` for the form, or the problem to show instead of sending it. The
 * gateway checks the cron expression, the time zone and the time too; this catches what needs no
 * server.
 */
export function scheduleBody(
  f: ScheduleForm,
  now = new Date(),
): { ok: true; body: Schedules.ScheduleCreateInput } | { ok: false; problem: string } {
  const task = f.task.trim();
  if (!task) return { ok: false, problem: 'Say what the task is.' };
  const steps = f.maxSteps.trim();
  if (steps && !/^\d+$/.test(steps)) return { ok: false, problem: 'Steps must be a number.' };
  const threadId = f.threadId.trim();
  if (f.threadPolicy && !threadId)
    return { ok: false, problem: 'A thread policy needs a thread: name the thread.' };
  const common = {
    task,
    catchUp: f.catchUp,
    ...(steps ? { maxSteps: Number(steps) } : {}),
    ...(threadId ? { threadId } : {}),
    ...(f.threadPolicy ? { threadPolicy: f.threadPolicy } : {}),
  };
  if (f.kind === 'cron') {
    const cron = f.cron.trim().replace(/\s+/g, ' ');
    if (cron.split(' ').length !== 5)
      return {
        ok: false,
        problem: 'A cron expression has 5 fields: minute hour day month weekday.',
      };
    return { ok: true, body: { ...common, cron, timezone: f.timezone.trim() || 'UTC' } };
  }
  const at = new Date(f.at);
  if (!f.at || Number.isNaN(at.getTime())) return { ok: false, problem: 'Choose when it runs.' };
  if (at <= now) return { ok: false, problem: 'Choose a time in the future.' };
  return { ok: true, body: { ...common, at: at.toISOString() } };
}

/** When a schedule runs, in words. */
export function timingWords(s: ScheduleView): string {
  if (s.cron) return `${s.cron} (${s.timezone ?? 'UTC'})`;
  return s.at ? `once at ${s.at}` : 'once';
}

/** The thread a schedule's tasks join, in words ('' when none). */
export function threadWords(s: ScheduleView): string {
  if (!s.threadId) return '';
  return `thread ${s.threadId}${s.threadPolicy ? ` (${s.threadPolicy} when busy)` : ''}`;
}

/** One line on where a schedule stands. */
export function statusWords(s: ScheduleView): string {
  switch (s.status) {
    case 'active':
      return 'Active';
    case 'paused':
      return 'Paused';
    case 'done':
      return 'Done (ran its one time)';
  }
}
