import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

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
}
