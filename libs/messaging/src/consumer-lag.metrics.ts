import { declareMetrics, gauge, type Metrics } from '@switchboard/observability';
import type { Gauge } from 'prom-client';

/** What the server says of a durable consumer (the fields of its consumer info used here). */
export interface ConsumerState {
  num_pending: number;
  num_ack_pending: number;
  num_redelivered: number;
}

type Labels = 'stream' | 'consumer';
/** One scrape reads each consumer's state once, shared by the three gauges. */
const SNAPSHOT_MAX_AGE_MS = 1_000;

/**
 * How far behind each durable consumer of this process is, read from the server when /metrics is
 * scraped: messages not yet delivered (`pending`), delivered but not acknowledged (`ack_pending`), and
 * delivered more than once and still not acknowledged (`redelivered`). Every replica of a service
 * reports the same durable's numbers: aggregate with `max by (stream, consumer)`. A consumer the
 * server cannot describe right now is left out of that scrape rather than reported stale.
 */
export class ConsumerLagMetrics {
  private readonly consumers = new Map<string, { stream: string; consumer: string }>();
  private snapshot:
    { at: number; states: Promise<Map<string, ConsumerState | undefined>> } | undefined;

  constructor(
    metrics: Metrics,
    private readonly info: (stream: string, consumer: string) => Promise<ConsumerState>,
  ) {
    const lag = (read: (s: ConsumerState) => number) => async (g: Gauge<Labels>) => {
      g.reset();
      for (const [key, state] of await this.states()) {
        const c = this.consumers.get(key);
        if (c && state) g.set(c, read(state));
      }
    };
    const labels: Labels[] = ['stream', 'consumer'];
    declareMetrics(metrics.registry, {
      pending: gauge(
        'sb_jetstream_consumer_pending',
        'Messages of the stream not yet delivered to the durable consumer (its backlog)',
        labels,
        lag((s) => s.num_pending),
      ),
      ackPending: gauge(
        'sb_jetstream_consumer_ack_pending',
        'Messages delivered to the durable consumer and not acknowledged yet (being worked on)',
        labels,
        lag((s) => s.num_ack_pending),
      ),
      redelivered: gauge(
        'sb_jetstream_consumer_redelivered',
        'Messages delivered to the durable consumer more than once and not acknowledged yet',
        labels,
        lag((s) => s.num_redelivered),
      ),
    });
  }

  /** Reports `consumer` of `stream` from now on (called when this process starts consuming it). */
  track(stream: string, consumer: string): void {
    this.consumers.set(`${stream}\u0000${consumer}`, { stream, consumer });
  }

  private states(): Promise<Map<string, ConsumerState | undefined>> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_MAX_AGE_MS) return this.snapshot.states;
    const states = Promise.all(
      [...this.consumers].map(async ([key, c]) => {
        const state = await this.info(c.stream, c.consumer).catch(() => undefined);
        return [key, state] as const;
      }),
    ).then((entries) => new Map(entries));
    this.snapshot = { at: now, states };
    return states;
  }
}
