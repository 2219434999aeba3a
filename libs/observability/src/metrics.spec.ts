import { Metrics } from './metrics.js';

/** The value of one sample in Prometheus text, found by name and labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
    );
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([k, v]) => found[k] === v))
      return Number(m[3]);
  }
  return undefined;
}

describe(Metrics.name, () => {
  it('renders the platform metrics in Prometheus text, labelled with the service and its replica', async () => {
    const sut = new Metrics('orchestrator', 'orchestrator-1');
    sut.observeNatsRequest('sb.cmd.tools.call', 'ok', 0.002);
    sut.observeNatsRequest('sb.cmd.tools.call', 'ok', 0.003);
    sut.observeNatsRequest('sb.cmd.tools.call', 'TIMEOUT', 5);
    sut.observeNatsHandled('sb.cmd.orchestrator.task.get', 'NOT_FOUND', 0.0004);

    const text = await sut.text();
    const own = { service: 'orchestrator', service_instance_id: 'orchestrator-1' };
    const call = { ...own, subject: 'sb.cmd.tools.call' };
    expect(sample(text, 'sb_nats_requests_total', { ...call, outcome: 'ok' })).toBe(2);
    expect(sample(text, 'sb_nats_requests_total', { ...call, outcome: 'TIMEOUT' })).toBe(1);
    // One histogram per subject, whatever the outcome: three observations, 5.005 s in all.
    expect(sample(text, 'sb_nats_request_duration_seconds_count', call)).toBe(3);
    expect(sample(text, 'sb_nats_request_duration_seconds_sum', call)).toBeCloseTo(5.005);
    expect(sample(text, 'sb_nats_request_duration_seconds_bucket', { ...call, le: '0.0025' })).toBe(
      1,
    );
    expect(sample(text, 'sb_nats_request_duration_seconds_bucket', { ...call, le: '10' })).toBe(3);
    expect(
      sample(text, 'sb_nats_handled_total', {
        ...own,
        subject: 'sb.cmd.orchestrator.task.get',
        outcome: 'NOT_FOUND',
      }),
    ).toBe(1);
    // The process metrics come along, with the same labels.
    expect(sample(text, 'process_cpu_seconds_total', own)).toBeGreaterThanOrEqual(0);
    expect(sut.contentType).toContain('text/plain');
  });

  it('names the replica in its own label, never in `instance` (Prometheus sets that one per target)', async () => {
    const sut = new Metrics('gateway', 'gw-7');
    sut.observeHttp({ route: '/orchestrate', method: 'POST', status: '200' }, 0.02);
    sut.observeHttp({ route: '/orchestrate', method: 'POST', status: '200' }, 3);
    const text = await sut.text();
    expect(text).not.toMatch(/[{,]instance="/);
    const http = {
      service: 'gateway',
      service_instance_id: 'gw-7',
      route: '/orchestrate',
      method: 'POST',
      status: '200',
    };
    expect(sample(text, 'sb_http_requests_total', http)).toBe(2);
    expect(sample(text, 'sb_http_request_duration_seconds_count', http)).toBe(2);
    expect(sample(text, 'sb_http_request_duration_seconds_bucket', { ...http, le: '0.025' })).toBe(
      1,
    );
  });

  it('keeps two services in one process apart (one registry each)', async () => {
    const a = new Metrics('gateway', 'a');
    const b = new Metrics('audit', 'b');
    a.observeNatsRequest('sb.cmd.audit.query', 'ok', 0.01);
    expect(await b.text()).not.toContain('sb.cmd.audit.query');
    expect(await a.text()).toContain('sb.cmd.audit.query');
  });
});
