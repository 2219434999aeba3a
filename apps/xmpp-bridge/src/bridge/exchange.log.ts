import type { Logger } from '@switchboard/observability';

/**
 * The logger of the one `xmpp exchange` info line per request. Its fields are the bridge's own —
 * direction, method, host, path (never the query), JIDs, status, sizes, outcome, time — and never a
 * secret, so pino's redaction is skipped for it: with the service's redaction paths it costs ~27 µs
 * of the line's ~35 µs, on every request of both bridges. Every other line keeps it.
 */
export function exchangeLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

/**
 * Runs `work` once what this turn of the event loop wrote has gone out: the XMPP socket is uncorked at
 * the end of the turn (bridge.client.ts) and NATS flushes in a microtask, so bookkeeping deferred by two
 * turns (an exchange's log line: tens of µs, a thread-pool write) no longer delays the answer.
 */
export function afterThisTurn(work: () => void): void {
  setImmediate(() => setImmediate(work));
}
