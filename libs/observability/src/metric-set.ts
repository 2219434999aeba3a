import { Inject, Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { type DeclaredMetrics, metricFields, type MetricTable } from './metric-table.js';
import { Metrics } from './metrics.js';

/**
 * An injectable holding the metrics of `table` as its own fields, declared on the service's
 * registry: `class A2aMetrics extends metricSet({ retries: counter(…), … }) {}`.
 */
export function metricSet<const T extends MetricTable>(
  table: T,
): new (metrics: Metrics) => DeclaredMetrics<T> {
  // Typed as a plain object here (T is not known yet); the caller sees the fields of its table.
  const Fields: new (registry: Registry) => object = metricFields(table);
  @Injectable()
  class MetricSet extends Fields {
    constructor(@Inject(Metrics) metrics: Metrics) {
      super(metrics.registry);
    }
  }
  return MetricSet as unknown as new (metrics: Metrics) => DeclaredMetrics<T>;
}
