import { analysePromQL, exportedSeries } from './prometheus.js';

describe(analysePromQL.name, () => {
  it('lists the selectors and groupings of a query, Grafana interval variables allowed', () => {
    const q = analysePromQL(
      'histogram_quantile(0.95, sum by (le, route) (rate(sb_http_request_duration_seconds_bucket{service="gateway", route!~"/health"}[$__rate_interval]))) > on() group_left up',
    );
    expect(q.errors).toEqual([]);
    expect(q.selectors).toEqual([
      { metric: 'sb_http_request_duration_seconds_bucket', labels: ['service', 'route'] },
      { metric: 'up', labels: [] },
    ]);
    expect(q.groupings).toEqual([
      { labels: ['le', 'route'], metrics: ['sb_http_request_duration_seconds_bucket'] },
    ]);
  });

  it('reports where a query does not parse', () => {
    expect(analysePromQL('sum(rate(sb_tasks_finished_total[5m])').errors).not.toEqual([]);
    expect(analysePromQL('sum by (code (sb_tasks_finished_total)').errors).not.toEqual([]);
  });
});

describe(exportedSeries.name, () => {
  it('offers a histogram as its _bucket, _sum and _count series, and records the labels seen', () => {
    const series = exportedSeries([
      [
        '# HELP sb_task_duration_seconds x',
        '# TYPE sb_task_duration_seconds histogram',
        'sb_task_duration_seconds_bucket{le="1",outcome="completed",code=""} 1',
        'sb_task_duration_seconds_sum{outcome="completed",code=""} 0.5',
        'sb_task_duration_seconds_count{outcome="completed",code=""} 1',
        '# HELP sb_tasks_finished_total x',
        '# TYPE sb_tasks_finished_total counter',
      ].join('\n'),
    ]);
    expect([...series.keys()].sort()).toEqual([
      'sb_task_duration_seconds_bucket',
      'sb_task_duration_seconds_count',
      'sb_task_duration_seconds_sum',
      'sb_tasks_finished_total',
    ]);
    expect([...series.get('sb_task_duration_seconds_bucket')!.labels]).toEqual([
      'le',
      'outcome',
      'code',
    ]);
    expect(series.get('sb_tasks_finished_total')!.labels.size).toBe(0);
  });
});
