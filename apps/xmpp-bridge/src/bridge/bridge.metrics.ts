import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

type Direction = 'in' | 'out';

/** The bridge's own Prometheus metrics (in the service registry). */
@Injectable()
export class BridgeMetrics {
  readonly exchanges: Counter<'direction' | 'outcome'>;
  readonly exchangeSeconds: Histogram<'direction'>;
  readonly connected: Gauge;
  readonly logins: Counter<'outcome'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.exchanges = new Counter({
      name: 'sb_xmpp_http_exchanges_total',
      help: 'HTTP-over-XMPP exchanges: outgoing (NATS → peer) and incoming (peer → local target), by outcome',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    this.exchangeSeconds = new Histogram({
      name: 'sb_xmpp_http_exchange_duration_seconds',
      help: 'Duration of HTTP-over-XMPP exchanges',
      labelNames: ['direction'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.connected = new Gauge({
      name: 'sb_xmpp_connected',
      help: '1 while the XMPP session is online',
      registers,
    });
    this.logins = new Counter({
      name: 'sb_xmpp_logins_total',
      help: 'XMPP login attempts by outcome (ok, or the failure kind)',
      labelNames: ['outcome'],
      registers,
    });
  }

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
