import { counter, gauge, metricSet } from '@switchboard/observability';

/** The gateway's own Prometheus series, on the service's registry. */
export class GatewayMetrics extends metricSet({
  authFailures: counter(
    'sb_gateway_auth_failures_total',
    'Requests refused by authentication, by mode and reason',
    ['mode', 'reason'],
  ),
  limited: counter(
    'sb_gateway_limited_total',
    'Requests refused with 429, by limit (rate, streams, auth, quota)',
    ['limit'],
  ),
  openStreams: gauge(
    'sb_gateway_open_streams',
    'Event streams (and POST /orchestrate requests waiting for their answer, kind "wait") open on this replica',
    ['kind'],
  ),
  tasksSubmitted: counter(
    'sb_tasks_submitted_total',
    'Tasks accepted and stored on the submission stream (every HTTP surface, the A2A and MCP endpoints included)',
  ),
}) {}
