import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** One row of a metric table: a Prometheus series as an operator reads it (name, help, labels). */
interface Row<L extends string> {
  name: string;
  help: string;
  labels: readonly L[];
}

export interface CounterRow<L extends string> extends Row<L> {
  kind: 'counter';
}

export interface GaugeRow<L extends string> extends Row<L> {
  kind: 'gauge';
  /** Sets the gauge when scraped (a value read from elsewhere: a table, Redis, the server). */
  collect?: ((gauge: Gauge<L>) => Promise<void> | void) | undefined;
}

export interface HistogramRow<L extends string> extends Row<L> {
  kind: 'histogram';
  buckets: readonly number[];
}

// `any` so that rows of any label set fit one table; each row keeps its own labels for the result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MetricRow = CounterRow<any> | GaugeRow<any> | HistogramRow<any>;
export type MetricTable = Record<string, MetricRow>;

/** What a table declares: each row's prom-client metric, typed by its labels. */
export type DeclaredMetrics<T extends MetricTable> = {
  readonly [K in keyof T]: T[K] extends CounterRow<infer L>
    ? Counter<L>
    : T[K] extends GaugeRow<infer L>
      ? Gauge<L>
      : T[K] extends HistogramRow<infer L>
        ? Histogram<L>
        : never;
};

/** A counter (its name ends in `_total`); no labels: one series. */
export function counter<const L extends string = string>(
  name: string,
  help: string,
  labels: readonly L[] = [],
): CounterRow<L> {
  return { kind: 'counter', name, help, labels };
}

/** A gauge, set by its owner or, with `collect`, read when scraped. */
export function gauge<const L extends string = string>(
  name: string,
  help: string,
  labels: readonly L[] = [],
  collect?: (gauge: Gauge<L>) => Promise<void> | void,
): GaugeRow<L> {
  return { kind: 'gauge', name, help, labels, collect };
}

/** A histogram with its buckets (seconds, for the durations). */
export function histogram<const L extends string = string>(
  name: string,
  help: string,
  labels: readonly L[],
  buckets: readonly number[],
): HistogramRow<L> {
  return { kind: 'histogram', name, help, labels, buckets };
}

function declareRow(row: MetricRow, registers: Registry[]): Counter | Gauge | Histogram {
  const common = { name: row.name, help: row.help, labelNames: [...row.labels], registers };
  switch (row.kind) {
    case 'counter':
      return new Counter(common);
    case 'histogram':
      return new Histogram({ ...common, buckets: [...row.buckets] });
    case 'gauge': {
      const collect = row.collect;
      return new Gauge({
        ...common,
        ...(collect
          ? {
              async collect(this: Gauge) {
                await collect(this);
              },
            }
          : {}),
      });
    }
  }
}

/**
 * Declares every row of `table` on `registry`: one place per service says which series it has,
 * and the declaring (names, labels, buckets, registers) is done here once.
 */
export function declareMetrics<const T extends MetricTable>(
  registry: Registry,
  table: T,
): DeclaredMetrics<T> {
  const declared: Record<string, Counter | Gauge | Histogram> = {};
  for (const [key, row] of Object.entries(table)) declared[key] = declareRow(row, [registry]);
  return declared as DeclaredMetrics<T>;
}

/** A class whose fields are the metrics of `table`, declared on the registry it is made with. */
export function metricFields<const T extends MetricTable>(
  table: T,
): new (registry: Registry) => DeclaredMetrics<T> {
  return class {
    constructor(registry: Registry) {
      Object.assign(this, declareMetrics(registry, table));
    }
  } as unknown as new (registry: Registry) => DeclaredMetrics<T>;
}
