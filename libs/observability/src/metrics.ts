import {
  AggregatorRegistry,
  type Counter,
  collectDefaultMetrics,
  type Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from 'prom-client';
import { counter, histogram, metricFields } from './metric-table.js';

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

const FAST = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The platform's own series, in every service: NATS hops, JetStream deliveries, HTTP answers. */
const PLATFORM_METRICS = {
  natsRequests: counter('sb_nats_requests_total', 'NATS requests sent, by subject and outcome', [
    'subject',
    'outcome',
  ]),
  natsRequestSeconds: histogram(
    'sb_nats_request_duration_seconds',
    'Round trip of NATS requests sent',
    ['subject'],
    FAST,
  ),
  natsHandled: counter('sb_nats_handled_total', 'NATS commands handled, by subject and outcome', [
    'subject',
    'outcome',
  ]),
  natsHandleSeconds: histogram(
    'sb_nats_handle_duration_seconds',
    'Time spent handling NATS commands',
    ['subject'],
    FAST,
  ),
  jsDelivered: counter(
    'sb_jetstream_messages_total',
    'JetStream messages processed by durable consumers, by outcome (ack, nak, term)',
    ['stream', 'consumer', 'outcome'],
  ),
  natsSubscriptionFailures: counter(
    'sb_nats_subscription_failures_total',
    'Messages a NATS subscription could not handle, and subscriptions the server refused, by subscribed pattern and reason (refused, invalid, handler)',
    ['subject', 'reason'],
  ),
  httpRequests: counter('sb_http_requests_total', 'HTTP requests served', [
    'route',
    'method',
    'status',
  ]),
  httpRequestSeconds: histogram(
    'sb_http_request_duration_seconds',
    'Time from a request arriving to its answer ending, by route, method and status (for an event stream: how long it stayed open)',
    ['route', 'method', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  ),
};

/** One Prometheus registry per process, labelled with the service, plus the platform's own metrics. */
export class Metrics extends metricFields(PLATFORM_METRICS) {
  readonly registry: Registry;
  readonly service: string;

  constructor(service: string, instance: string) {
    const registry = new Registry();
    registry.setDefaultLabels({ service, [INSTANCE_LABEL]: instance });
    collectDefaultMetrics({ register: registry });
    super(registry);
    this.registry = registry;
    this.service = service;
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
