import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter } from 'prom-client';

/** Tool usage metrics (seed 2's users asked for them). */
@Injectable()
export class ToolMetrics {
  readonly calls: Counter<'tool' | 'outcome'>;

  constructor(metrics: Metrics) {
    this.calls = new Counter({
      name: 'sb_tool_calls_total',
      help: 'Tool calls by tool and outcome (ok, replayed, or the error code)',
      labelNames: ['tool', 'outcome'],
      registers: [metrics.registry],
    });
  }
}
