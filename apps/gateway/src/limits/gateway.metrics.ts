import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge } from 'prom-client';

/** The gateway's own Prometheus series, on the service's registry. */
@Injectable()
export class GatewayMetrics {
  readonly authFailures: Counter<'mode' | 'reason'>;
  readonly limited: Counter<'limit'>;
  readonly openStreams: Gauge<'kind'>;
  readonly tasksSubmitted: Counter;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.authFailures = new Counter({
      name: 'sb_gateway_auth_failures_total',
      help: 'Requests refused by authentication, by mode and reason',
      labelNames: ['mode', 'reason'],
      registers,
    });
    this.limited = new Counter({
      name: 'sb_gateway_limited_total',
      help: 'Requests refused with 429, by limit (rate, streams, auth, quota)',
      labelNames: ['limit'],
      registers,
    });
    this.openStreams = new Gauge({
      name: 'sb_gateway_open_streams',
      help: 'Event streams (and POST /orchestrate requests waiting for their answer, kind "wait") open on this replica',
      labelNames: ['kind'],
      registers,
    });
    this.tasksSubmitted = new Counter({
      name: 'sb_tasks_submitted_total',
      help: 'Tasks accepted and stored on the submission stream (every HTTP surface, the A2A and MCP endpoints included)',
      registers,
    });
  }
}
