import {
  AggregatorRegistry,
  Counter,
  collectDefaultMetrics,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client';

/**
 * The label naming the replica on every series. Not `instance`: Prometheus sets that one on each
 * target it scrapes (host:port), and a series carrying its own would come back as `exported_instance`.
 */
export const INSTANCE_LABEL = 'service_instance_id';

/** One registry's metrics as data (prom-client's getMetricsAsJSON), as they cross between processes. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The same service's metrics in the other processes that share this one's port — the cells of one
 * machine (apps/cell), which take its connections in turn, so a scrape reaches any one of them.
 */
export type PeerMetrics = (service: string) => Promise<MetricsJson[]>;

let peerMetrics: PeerMetrics | undefined;

/**
 * Makes every scrape of this process' services answer for their replicas in the processes that share
 * its ports too (the cell sets it when it is one of several): one target per port, each replica's
 * series told apart by its `service_instance_id`. Undefined: each answers for itself (the default).
 */
export function scrapePeers(peers: PeerMetrics | undefined): void {
  peerMetrics = peers;
}

/**
 * Several registries' metrics as one Prometheus text: the series of each metric side by side. They
 * differ by their `service_instance_id`, so none is summed or averaged (prom-client's cluster
 * aggregation would, and would drop the process start time): each keeps its own value.
 */
export function mergeMetrics(registries: MetricsJson[]): Promise<string> {
  const asTheyAre = registries.map((metrics) =>
    metrics.map((m) => ({ ...m, aggregator: 'first' as const })),
  );
  return AggregatorRegistry.aggregate(asTheyAre).metrics();
}

/** One Prometheus registry per process, labelled with the service, plus the platform's own metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly service: string;

  readonly natsRequests: Counter<'subject' | 'outcome'>;
  readonly natsRequestSeconds: Histogram<'subject'>;
  readonly natsHandled: Counter<'subject' | 'outcome'>;
  readonly natsHandleSeconds: Histogram<'subject'>;
  readonly jsDelivered: Counter<'stream' | 'consumer' | 'outcome'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpRequestSeconds: Histogram<'route' | 'method' | 'status'>;
  readonly natsSubscriptionFailures: Counter<'subject' | 'reason'>;

  constructor(service: string, instance: string) {
    this.service = service;
    this.registry.setDefaultLabels({ service, [INSTANCE_LABEL]: instance });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const fast = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.natsRequests = new Counter({
      name: 'sb_nats_requests_total',
      help: 'NATS requests sent, by subject and outcome',
      labelNames: ['subject', 'outcome'],
      registers,
    });
    this.natsRequestSeconds = new Histogram({
      name: 'sb_nats_request_duration_seconds',
      help: 'Round trip of NATS requests sent',
      labelNames: ['subject'],
      buckets: fast,
      registers,
    });
    this.natsHandled = new Counter({
      name: 'sb_nats_handled_total',
      help: 'NATS commands handled, by subject and outcome',
      labelNames: ['subject', 'outcome'],
      registers,
    });
    this.natsHandleSeconds = new Histogram({
      name: 'sb_nats_handle_duration_seconds',
      help: 'Time spent handling NATS commands',
      labelNames: ['subject'],
      buckets: fast,
      registers,
    });
    this.jsDelivered = new Counter({
      name: 'sb_jetstream_messages_total',
      help: 'JetStream messages processed by durable consumers, by outcome (ack, nak, term)',
      labelNames: ['stream', 'consumer', 'outcome'],
      registers,
    });
    this.natsSubscriptionFailures = new Counter({
      name: 'sb_nats_subscription_failures_total',
      help: 'Messages a NATS subscription could not handle, and subscriptions the server refused, by subscribed pattern and reason (refused, invalid, handler)',
      labelNames: ['subject', 'reason'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'sb_http_requests_total',
      help: 'HTTP requests served',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.httpRequestSeconds = new Histogram({
      name: 'sb_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer ending, by route, method and status (for an event stream: how long it stayed open)',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }

  /** Counts and times one HTTP answer (label children cached, as for NATS hops). */
  observeHttp(labels: { route: string; method: string; status: string }, seconds: number): void {
    const key = `${labels.route}\u0000${labels.method}\u0000${labels.status}`;
    let record = this.httpChildren.get(key);
    if (!record) {
      const count = this.httpRequests.labels(labels);
      const time = this.httpRequestSeconds.labels(labels);
      record = (s) => {
        count.inc();
        time.observe(s);
      };
      this.httpChildren.set(key, record);
    }
    record(seconds);
  }

  private readonly httpChildren = new Map<string, (seconds: number) => void>();

  /** Counts and times one NATS request sent (the hot path: labelled children are cached). */
  observeNatsRequest(subject: string, outcome: string, seconds: number): void {
    this.child(
      this.requestChildren,
      subject,
      outcome,
      this.natsRequests,
      this.natsRequestSeconds,
    )(seconds);
  }

  /** Counts and times one NATS command handled. */
  observeNatsHandled(subject: string, outcome: string, seconds: number): void {
    this.child(
      this.handledChildren,
      subject,
      outcome,
      this.natsHandled,
      this.natsHandleSeconds,
    )(seconds);
  }

  // prom-client hashes the label object on every inc/observe; a NATS hop does four of them. The
  // children per (subject, outcome) are few and fixed, so they are looked up once.
  private readonly requestChildren = new Map<string, (seconds: number) => void>();
  private readonly handledChildren = new Map<string, (seconds: number) => void>();

  private child(
    cache: Map<string, (seconds: number) => void>,
    subject: string,
    outcome: string,
    counter: Counter<'subject' | 'outcome'>,
    histogram: Histogram<'subject'>,
  ): (seconds: number) => void {
    const key = `${subject}\u0000${outcome}`;
    let record = cache.get(key);
    if (!record) {
      const count = counter.labels(subject, outcome);
      const time = histogram.labels(subject);
      record = (seconds) => {
        count.inc();
        time.observe(seconds);
      };
      cache.set(key, record);
    }
    return record;
  }

  /** What /metrics answers: this replica's metrics, and its peers' when it shares its port (scrapePeers). */
  async text(): Promise<string> {
    if (!peerMetrics) return this.registry.metrics();
    const [own, peers] = await Promise.all([this.json(), peerMetrics(this.service)]);
    return mergeMetrics([own, ...peers]);
  }

  /** This replica's metrics alone, as data. */
  json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
