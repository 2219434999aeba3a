import { parser } from '@prometheus-io/lezer-promql';

/** A series selector of a query: the metric it names and the labels it matches on. */
export interface PromSelector {
  metric: string;
  labels: string[];
}

/** What a PromQL expression refers to, as Prometheus' own grammar (lezer-promql) reads it. */
export interface PromQlAnalysis {
  /** Where the expression does not parse (empty when it is valid PromQL). */
  errors: string[];
  selectors: PromSelector[];
  /** Each aggregation's `by (...)` labels, with the metrics it aggregates. */
  groupings: { labels: string[]; metrics: string[] }[];
}

/** Grafana's interval variables, as a duration PromQL accepts, so dashboard queries parse. */
const GRAFANA_INTERVALS = /\$\{?__(rate_interval|interval|range)\}?/g;

interface Node {
  name: string;
  from: number;
  to: number;
  node: {
    getChild(type: string): { from: number; to: number } | null;
    getChildren(type: string): { from: number; to: number; getChild(t: string): unknown }[];
  };
}

/** Parses `expr` (Grafana's interval variables allowed) and lists its selectors and groupings. */
export function analysePromQL(expr: string): PromQlAnalysis {
  const q = expr.replace(GRAFANA_INTERVALS, '5m');
  const text = (n: { from: number; to: number }) => q.slice(n.from, n.to);
  const errors: string[] = [];
  const selectors: (PromSelector & { from: number; to: number })[] = [];
  const aggregations: { labels: string[]; from: number; to: number }[] = [];
  parser.parse(q).iterate({
    enter(ref) {
      const n = ref as unknown as Node & { type: { isError: boolean } };
      if (n.type.isError)
        errors.push(`at ${n.from}: …${q.slice(Math.max(0, n.from - 20), n.from + 20)}…`);
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        const matchers = n.node.getChild('LabelMatchers') as unknown as Node['node'] | null;
        const labels = (matchers?.getChildren('UnquotedLabelMatcher') ?? []).map((m) =>
          text(m.getChild('LabelName') as { from: number; to: number }),
        );
        if (id) selectors.push({ metric: text(id), labels, from: n.from, to: n.to });
      }
      if (n.name === 'AggregateExpr') {
        const modifier = n.node.getChild('AggregateModifier') as unknown as Node['node'] | null;
        const grouping = modifier?.getChild('GroupingLabels') as unknown as Node['node'] | null;
        const labels = (grouping?.getChildren('LabelName') ?? []).map(text);
        if (labels.length) aggregations.push({ labels, from: n.from, to: n.to });
      }
    },
  });
  return {
    errors,
    selectors: selectors.map(({ metric, labels }) => ({ metric, labels })),
    groupings: aggregations.map((a) => ({
      labels: a.labels,
      metrics: selectors.filter((s) => s.from >= a.from && s.to <= a.to).map((s) => s.metric),
    })),
  };
}

/** One metric family of a /metrics answer: its type and the label names its samples carry. */
export interface ExportedFamily {
  type: string;
  /** Label names seen on its samples (empty when it has no sample yet). */
  labels: Set<string>;
}

/**
 * The series names a set of /metrics answers (Prometheus text format) offer to queries, with the
 * labels seen on each: a histogram `x` offers `x_bucket` (with `le`), `x_sum` and `x_count`. A family
 * with no sample yet (a labelled counter never incremented) is listed, with no labels.
 */
export function exportedSeries(texts: string[]): Map<string, ExportedFamily> {
  const series = new Map<string, ExportedFamily>();
  const family = (name: string, type: string) => {
    let f = series.get(name);
    if (!f) series.set(name, (f = { type, labels: new Set() }));
    return f;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (typed) {
        const [, name = '', type = ''] = typed;
        if (type === 'histogram' || type === 'summary') {
          for (const suffix of ['_sum', '_count']) family(`${name}${suffix}`, type);
          if (type === 'histogram') family(`${name}_bucket`, type);
          else family(name, type);
        } else family(name, type);
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
      if (!sample || line.startsWith('#')) continue;
      const f = family(sample[1] ?? '', 'untyped');
      for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
        if (label) f.labels.add(label);
    }
  }
  return series;
}
