import { counter, gauge, histogram, metricSet } from '@switchboard/observability';

type Direction = 'in' | 'out';

/** The bridge's own Prometheus metrics (in the service registry). */
export class BridgeMetrics extends metricSet({
  exchanges: counter(
    'sb_xmpp_http_exchanges_total',
    'HTTP-over-XMPP exchanges: outgoing (NATS → peer) and incoming (peer → local target), by outcome',
    ['direction', 'outcome'],
  ),
  exchangeSeconds: histogram(
    'sb_xmpp_http_exchange_duration_seconds',
    'Duration of HTTP-over-XMPP exchanges',
    ['direction'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ),
  connected: gauge('sb_xmpp_connected', '1 while the XMPP session is online'),
  logins: counter(
    'sb_xmpp_logins_total',
    'XMPP login attempts by outcome (ok, or the failure kind)',
    ['outcome'],
  ),
}) {
  private readonly exchangeChildren = new Map<string, { inc(): void }>();
  private readonly secondsChildren = new Map<string, { observe(v: number): void }>();

  /** Counts and times one exchange; the label children are looked up once, not hashed per call. */
  exchanged(direction: Direction, outcome: string, seconds?: number): void {
    const key = `${direction}\n${outcome}`;
    let counter = this.exchangeChildren.get(key);
    if (!counter) {
      counter = this.exchanges.labels({ direction, outcome });
      this.exchangeChildren.set(key, counter);
    }
    counter.inc();
    if (seconds === undefined) return;
    let histogram = this.secondsChildren.get(direction);
    if (!histogram) {
      histogram = this.exchangeSeconds.labels({ direction });
      this.secondsChildren.set(direction, histogram);
    }
    histogram.observe(seconds);
  }
}
