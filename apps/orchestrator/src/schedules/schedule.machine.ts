import { type Schedules, StateMachine } from '@switchboard/contracts';

/** What moves a schedule (its stored `status`) from one state to the next. */
export type ScheduleTrigger = 'fired' | 'last-fired' | 'paused' | 'resumed';

/**
 * A schedule. The state is stored (Schedule.status): every replica's ticker and every pause or resume
 * changes the row with one conditional statement naming the state it leaves, so a paused schedule is
 * never claimed and a done one never fires again. Deleting removes the row in any state.
 */
export const SCHEDULE = new StateMachine<Schedules.ScheduleStatus, ScheduleTrigger>({
  name: 'schedule',
  initial: 'active',
  final: ['done'],
  transitions: [
    {
      from: 'active',
      on: 'fired',
      to: 'active',
      note: 'a ticker claimed it when due (`FOR UPDATE SKIP LOCKED`), recorded the firing (unique per due time) and moved `nextDueAt` to its next time; audited `schedule.fire`',
    },
    {
      from: 'active',
      on: 'last-fired',
      to: 'done',
      note: 'a one-shot (`at`) schedule fired — or its only time was missed and `catch_up: skip` skipped it',
    },
    {
      from: 'active',
      on: 'paused',
      to: 'paused',
      note: 'its owner or an admin paused it: `nextDueAt` cleared, no ticker claims it',
    },
    {
      from: 'paused',
      on: 'resumed',
      to: 'active',
      note: '`nextDueAt` is the next time after now: what it missed while paused does not run',
    },
  ],
});
