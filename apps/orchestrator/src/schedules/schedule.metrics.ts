import { counter, metricSet } from '@switchboard/observability';

/**
 * The ticker's heartbeat: the ticks this replica ran, by outcome. A replica whose `ok` count stops
 * rising is not firing schedules (docs/schedules.md, "Operating it"); a rising `failed` count is a
 * ticker that cannot reach its database. Tests wait for it to count ticks instead of waiting for
 * time.
 */
export class ScheduleMetrics extends metricSet({
  ticks: counter(
    'sb_schedule_ticks_total',
    'Schedule ticks this replica ran (claiming what is due and submitting it), by outcome (ok, failed)',
    ['outcome'],
  ),
}) {}
