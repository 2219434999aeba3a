import { describe, expect, it } from '@jest/globals';
import { Metrics } from '@switchboard/observability';
import { MAX_SCORE_SERIES, ScoreMetrics } from './score.metrics.js';

async function series(metrics: Metrics, name: string) {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []) as {
    labels: Record<string, string>;
    value: number;
    metricName?: string;
  }[];
}

describe(ScoreMetrics.name, () => {
  it('counts scores by agent, version, name and source, and observes numbers and booleans', async () => {
    const metrics = new Metrics('orchestrator', 'test');
    const sut = new ScoreMetrics(metrics);
    sut.observe(
      [
        { name: 'trajectory.strict', value: 1, source: 'code' },
        { name: 'judge', value: 0.5, source: 'judge' },
        { name: 'helpful', value: true, source: 'human' },
        { name: 'tone', value: 'unscored', source: 'judge' },
      ],
      { agent: 'support', version: 2 },
    );
    sut.observe([{ name: 'trajectory.strict', value: 0, source: 'code' }], {});
    const counted = await series(metrics, 'sb_eval_scores_total');
    expect(counted.map((v) => [v.labels.agent, v.labels.version, v.labels.name, v.value])).toEqual([
      ['support', '2', 'trajectory.strict', 1],
      ['support', '2', 'judge', 1],
      ['support', '2', 'helpful', 1],
      ['support', '2', 'tone', 1],
      ['none', 'none', 'trajectory.strict', 1],
    ]);
    const sums = (await series(metrics, 'sb_eval_score_value')).filter((v) =>
      v.metricName?.endsWith('_sum'),
    );
    // the category is counted, not observed
    expect(sums.map((v) => [v.labels.name, v.value])).toEqual([
      ['trajectory.strict', 1],
      ['judge', 0.5],
      ['helpful', 1],
      ['trajectory.strict', 0],
    ]);
  });

  it('bounds the label sets: past the limit a new agent, version or name is counted as other', async () => {
    const metrics = new Metrics('orchestrator', 'test');
    const sut = new ScoreMetrics(metrics);
    for (let v = 1; v <= MAX_SCORE_SERIES + 3; v++)
      sut.observe([{ name: 'x'.repeat(100), value: 1, source: 'code' }], {
        agent: 'a',
        version: v,
      });
    sut.observe([{ name: 'x'.repeat(100), value: 1, source: 'code' }], { agent: 'a', version: 1 });
    const counted = await series(metrics, 'sb_eval_scores_total');
    expect(counted).toHaveLength(MAX_SCORE_SERIES + 1);
    expect(counted.find((v) => v.labels.agent === 'other')?.value).toBe(3);
    expect(counted.find((v) => v.labels.version === '1')).toMatchObject({
      value: 2,
      labels: { name: 'x'.repeat(64) },
    });
  });
});
