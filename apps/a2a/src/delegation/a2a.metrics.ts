import { counter, gauge, histogram, metricSet } from '@switchboard/observability';

/** The a2a service's own Prometheus series, on the service's registry. */
export class A2aMetrics extends metricSet({
  delegations: counter(
    'sb_a2a_delegations_total',
    'Delegations by agent, transport and outcome (the remote final state, or the error code)',
    ['agent', 'transport', 'outcome'],
  ),
  delegationSeconds: histogram(
    'sb_a2a_delegation_duration_seconds',
    'Wall time of delegations, all attempts included',
    ['agent', 'transport'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  ),
  retries: counter('sb_a2a_retries_total', 'Retries after transient failures, by agent', ['agent']),
  circuitOpen: gauge('sb_a2a_circuit_open', "1 while the agent's circuit breaker is open", [
    'agent',
  ]),
  exchanges: counter(
    'sb_a2a_http_exchanges_total',
    'HTTP exchanges with agents, by transport (http, xmpp) and outcome (status code or error code)',
    ['transport', 'outcome'],
  ),
  exchangeSeconds: histogram(
    'sb_a2a_http_exchange_duration_seconds',
    'Round trip of one HTTP exchange with an agent (through the bridge for xmpp)',
    ['transport'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  ),
}) {}
