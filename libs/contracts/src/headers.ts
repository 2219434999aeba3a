/** NATS (and HTTP, where mirrored) header names the platform propagates on every hop. */
export const Headers = {
  correlationId: 'x-correlation-id',
  userId: 'x-sb-user-id',
  userRole: 'x-sb-user-role',
  userEmail: 'x-sb-user-email',
  /** The acting user's tenant (absent: the default tenant). */
  tenantId: 'x-sb-tenant-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Source service of a message, for operators tailing subjects. */
  source: 'x-sb-source',
  /**
   * Where the responder of a `liveness: 'heartbeat'` command sends its heartbeats while it works: a
   * subject under the caller's own inbox prefix.
   */
  heartbeat: 'x-sb-heartbeat',
  /**
   * How often, in milliseconds, the caller wants those heartbeats (HEARTBEAT_INTERVAL_MS bounds):
   * the responder beats at that interval. Absent: COMMAND_HEARTBEAT_MS.
   */
  heartbeatInterval: 'x-sb-heartbeat-interval',
} as const;
