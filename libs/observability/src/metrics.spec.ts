import { Metrics, scrapePeers } from './metrics.js';

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

  describe('when its port is shared with other processes (several cells: scrapePeers)', () => {
    afterEach(() => scrapePeers(undefined));

    it("answers a scrape for every replica of the service, each series with its own value and replica's label", async () => {
      const here = new Metrics('orchestrator', 'orchestrator-local-1-c1');
      const there = new Metrics('orchestrator', 'orchestrator-local-1-c2');
      here.observeNatsHandled('sb.cmd.orchestrator.task.get', 'ok', 0.001);
      for (let i = 0; i < 3; i++) there.observeNatsHandled('sb.cmd.orchestrator.task.get', 'ok', 2);
      const asked: string[] = [];
      scrapePeers(async (service) => {
        asked.push(service);
        return [await there.json()];
      });

      const text = await here.text();
      expect(asked).toEqual(['orchestrator']);
      const handled = (instance: string) => ({
        service: 'orchestrator',
        service_instance_id: instance,
        subject: 'sb.cmd.orchestrator.task.get',
      });
      const c1 = handled('orchestrator-local-1-c1');
      const c2 = handled('orchestrator-local-1-c2');
      expect(sample(text, 'sb_nats_handled_total', { ...c1, outcome: 'ok' })).toBe(1);
      expect(sample(text, 'sb_nats_handled_total', { ...c2, outcome: 'ok' })).toBe(3);
      expect(sample(text, 'sb_nats_handle_duration_seconds_count', c2)).toBe(3);
      expect(sample(text, 'sb_nats_handle_duration_seconds_bucket', { ...c2, le: '1' })).toBe(0);
      expect(sample(text, 'sb_nats_handle_duration_seconds_bucket', { ...c1, le: '1' })).toBe(1);
      // Each process' own figures, not a sum or an average (nor left out, as prom-client's cluster
      // aggregation leaves out the start time): one series per replica.
      for (const instance of ['orchestrator-local-1-c1', 'orchestrator-local-1-c2'])
        expect(
          sample(text, 'process_start_time_seconds', {
            service: 'orchestrator',
            service_instance_id: instance,
          }),
        ).toBeGreaterThan(0);
      // One HELP and TYPE per metric: valid exposition text.
      expect(text.match(/^# TYPE sb_nats_handled_total /gm)).toHaveLength(1);
    });

    it('still answers for itself alone when there are no peers', async () => {
      const alone = new Metrics('audit', 'audit-c1');
      scrapePeers(async () => []);
      expect(
        sample(await alone.text(), 'process_start_time_seconds', {
          service: 'audit',
          service_instance_id: 'audit-c1',
        }),
      ).toBeGreaterThan(0);
    });
  });
});
