import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

/** The a2a service's own Prometheus series, on the service's registry. */
@Injectable()
export class A2aMetrics {
  readonly delegations: Counter<'agent' | 'transport' | 'outcome'>;
  readonly delegationSeconds: Histogram<'agent' | 'transport'>;
  readonly retries: Counter<'agent'>;
  readonly circuitOpen: Gauge<'agent'>;
  readonly exchanges: Counter<'transport' | 'outcome'>;
  readonly exchangeSeconds: Histogram<'transport'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.delegations = new Counter({
      name: 'sb_a2a_delegations_total',
      help: 'Delegations by agent, transport and outcome (the remote final state, or the error code)',
      labelNames: ['agent', 'transport', 'outcome'],
      registers,
    });
    this.delegationSeconds = new Histogram({
      name: 'sb_a2a_delegation_duration_seconds',
      help: 'Wall time of delegations, all attempts included',
      labelNames: ['agent', 'transport'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.retries = new Counter({
      name: 'sb_a2a_retries_total',
      help: 'Retries after transient failures, by agent',
      labelNames: ['agent'],
      registers,
    });
    this.circuitOpen = new Gauge({
      name: 'sb_a2a_circuit_open',
      help: "1 while the agent's circuit breaker is open",
      labelNames: ['agent'],
      registers,
    });
    this.exchanges = new Counter({
      name: 'sb_a2a_http_exchanges_total',
      help: 'HTTP exchanges with agents, by transport (http, xmpp) and outcome (status code or error code)',
      labelNames: ['transport', 'outcome'],
      registers,
    });
    this.exchangeSeconds = new Histogram({
      name: 'sb_a2a_http_exchange_duration_seconds',
      help: 'Round trip of one HTTP exchange with an agent (through the bridge for xmpp)',
      labelNames: ['transport'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }
}
