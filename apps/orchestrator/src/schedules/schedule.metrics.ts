import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter } from 'prom-client';

/**
 * The ticker's heartbeat: the ticks this replica ran, by outcome. A replica whose `ok` count stops
 * rising is not firing schedules (docs/schedules.md, "Operating it"); a rising `failed` count is a
 * ticker that cannot reach its database. Tests wait for it to count ticks instead of waiting for
 * time.
 */
@Injectable()
export class ScheduleMetrics {
  readonly ticks: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    this.ticks = new Counter({
      name: 'sb_schedule_ticks_total',
      help: 'Schedule ticks this replica ran (claiming what is due and submitting it), by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }
}
