import { Registry } from 'prom-client';
import { metricSet } from './metric-set.js';
import { counter, declareMetrics, gauge, histogram } from './metric-table.js';
import { Metrics } from './metrics.js';

describe(declareMetrics.name, () => {
  it('declares each row on the registry with its name, help, labels and buckets', async () => {
    const registry = new Registry();
    const m = declareMetrics(registry, {
      calls: counter('sb_probe_calls_total', 'Probe calls, by outcome', ['outcome']),
      seconds: histogram('sb_probe_seconds', 'Probe time', ['tool'], [0.5, 2]),
      open: gauge('sb_probe_open', 'Probes open'),
    });
    m.calls.inc({ outcome: 'ok' }, 2);
    m.seconds.observe({ tool: 'clock' }, 1);
    m.open.set(3);

    const text = await registry.metrics();
    expect(text).toContain('# HELP sb_probe_calls_total Probe calls, by outcome');
    expect(text).toContain('# TYPE sb_probe_calls_total counter');
    expect(text).toContain('sb_probe_calls_total{outcome="ok"} 2');
    expect(text).toContain('# TYPE sb_probe_seconds histogram');
    expect(text).toContain('sb_probe_seconds_bucket{le="0.5",tool="clock"} 0');
    expect(text).toContain('sb_probe_seconds_bucket{le="2",tool="clock"} 1');
    expect(text).toContain('# TYPE sb_probe_open gauge');
    expect(text).toContain('sb_probe_open 3');
  });

  it('reads a collected gauge when scraped, not before', async () => {
    const registry = new Registry();
    let reads = 0;
    declareMetrics(registry, {
      pending: gauge('sb_probe_pending', 'Pending, by status', ['status'], (g) => {
        reads += 1;
        g.set({ status: 'dead' }, 7);
      }),
    });
    expect(reads).toBe(0);

    const text = await registry.metrics();
    expect(reads).toBe(1);
    expect(text).toContain('sb_probe_pending{status="dead"} 7');
  });
});

describe(metricSet.name, () => {
  it("makes a class whose fields are the table's metrics, on the service's registry", async () => {
    class ProbeMetrics extends metricSet({
      retries: counter('sb_probe_retries_total', 'Retries, by agent', ['agent']),
    }) {}
    const metrics = new Metrics('a2a', 'a2a-1');
    const sut = new ProbeMetrics(metrics);
    sut.retries.inc({ agent: 'echo' });

    expect(await metrics.text()).toContain(
      'sb_probe_retries_total{agent="echo",service="a2a",service_instance_id="a2a-1"} 1',
    );
  });
});
