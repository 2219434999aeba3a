import {
  analysePromQL,
  DEMO_TASK,
  exportedSeries,
  type ReceivedSpan,
  repoRoot,
  startPrometheus,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  AGENTS,
  ancestry,
  expectDelegationAcrossXmpp,
  expectOneTaskTrace,
  runTracedTask,
  SERVICES,
  SpanKinds,
  spanNamed as span,
  startTracedPlatform,
  type TracedPlatform,
  type TracedRun,
  traceOf as traceIn,
} from './support/traced-platform.js';

const DELEGATION_TASK =
  'ask the researcher about NATS JetStream, then have the writer draft a summary';
const { CLIENT, PRODUCER, CONSUMER } = SpanKinds;

/** One log line of a service, parsed. */
type Line = Record<string, unknown>;

// The platform with every service, both agents' bridges exporting to a real OTLP/HTTP receiver, and
// the LLM planner against the scripted OpenAI-compatible server (support/traced-platform.ts). Both
// demo tasks run once, each from inside a client trace; each test reads what they left: one trace
// each, the metrics the dashboard and the alerts query, the log lines.
describe('telemetry: one trace per task across every hop, the metrics operators query, the story in the logs', () => {
  let platform: TracedPlatform;
  let demo: TracedRun;
  let delegation: TracedRun;
  // The demo task's own webhook: its URL carries a token, which no span may show.
  const hookToken = `tok-${randomUUID()}`;

  beforeAll(async () => {
    platform = await startTracedPlatform();
    platform.llm.script(DEMO_TASK, [
      { toolCalls: [{ name: 'calculator', arguments: { expression: '17 * 23' } }] },
      { toolCalls: [{ name: 'notes__add', arguments: { content: '391' } }] },
      { content: '17 * 23 = 391, saved as a note.', usage: { prompt: 50, completion: 12 } },
    ]);
    platform.llm.script(DELEGATION_TASK, [
      { toolCalls: [{ name: 'delegate__researcher', arguments: { message: 'NATS JetStream' } }] },
      { toolCalls: [{ name: 'delegate__writer', arguments: { message: 'draft a summary' } }] },
      { content: 'Here is the summary the writer drafted.' },
    ]);
    demo = await runTracedTask(platform.stack.gatewayUrl, DEMO_TASK, {
      body: { webhook: { url: `${platform.webhooks.url}/ended?token=${hookToken}` } },
    });
    delegation = await runTracedTask(platform.stack.gatewayUrl, DELEGATION_TASK);
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const traceOf = (run: TracedRun, expected: Record<string, string[]>): Promise<ReceivedSpan[]> =>
    traceIn(platform.receiver, run, expected);

  it('the demo task is one trace from the caller’s traceparent through gateway, orchestrator (task, rounds, model calls, steps), mcp-tools (tool calls, PostgreSQL, Redis), a2a, the audit records the journal relays and the webhook it calls', async () => {
    const spans = await traceOf(demo, {
      gateway: ['POST /orchestrate/stream', 'jetstream publish sb.task.submit'],
      orchestrator: [
        'jetstream process sb.task.submit',
        'task',
        'planning round',
        'llm.chat',
        'audit relay',
        'webhook delivery',
      ],
      'mcp-tools': ['nats handle sb.cmd.tools.call.{taskId}', 'tool call'],
      a2a: ['nats handle sb.cmd.a2a.agents.list'],
      audit: ['audit chain'],
    });
    // One root: the gateway's request span, the only child of the caller's span; the audit records
    // relayed after their commits and the webhook delivered by a sweep are in it too, and no span of
    // the task is anywhere else.
    expectOneTaskTrace(platform.receiver, demo, spans, [...platform.secrets, hookToken]);
    expect(
      span(spans, 'gateway', 'POST /orchestrate/stream').attributes['http.response.status_code'],
    ).toBe(200);

    // The submission crosses JetStream: the orchestrator's run continues the gateway's publish.
    const publish = span(spans, 'gateway', 'jetstream publish sb.task.submit');
    expect(publish.kind).toBe(PRODUCER);
    const consume = span(spans, 'orchestrator', 'jetstream process sb.task.submit');
    expect(consume).toMatchObject({ kind: CONSUMER, parentSpanId: publish.spanId });
    const task = span(spans, 'orchestrator', 'task');
    expect(task.parentSpanId).toBe(consume.spanId);
    expect(task.attributes['switchboard.task_id']).toBe(demo.taskId);

    // Three planning rounds, each with its model call, and the model's HTTP request below that.
    const rounds = spans.filter((s) => s.name === 'planning round');
    expect(rounds.map((r) => r.parentSpanId)).toEqual([task.spanId, task.spanId, task.spanId]);
    const calls = spans.filter((s) => s.name === 'llm.chat');
    expect(calls.map((c) => rounds.some((r) => r.spanId === c.parentSpanId))).toEqual([
      true,
      true,
      true,
    ]);
    const modelHttp = spans.filter(
      (s) => s.kind === CLIENT && calls.some((c) => c.spanId === s.parentSpanId),
    );
    expect(modelHttp.map((s) => s.attributes['http.request.method'])).toEqual([
      'POST',
      'POST',
      'POST',
    ]);

    // Two steps: orchestrator step → NATS request → mcp-tools handler → tool call.
    const tools = spans.filter((s) => s.service === 'mcp-tools' && s.name === 'tool call');
    expect(tools.map((t) => t.attributes['gen_ai.tool.name']).sort()).toEqual([
      'calculator',
      'notes.add',
    ]);
    for (const t of tools) {
      expect(ancestry(spans, t).slice(0, 4)).toEqual([
        'mcp-tools: nats handle sb.cmd.tools.call.{taskId}',
        'orchestrator: nats request sb.cmd.tools.call.{taskId}',
        'orchestrator: step tool',
        'orchestrator: task',
      ]);
    }
    // PostgreSQL (the note, through Prisma's pg adapter) and Redis, instrumented in the processes.
    const notes = tools.find((t) => t.attributes['gen_ai.tool.name'] === 'notes.add')!;
    const sql = spans.filter(
      (s) =>
        s.attributes['db.system'] === 'postgresql' ||
        s.attributes['db.system.name'] === 'postgresql',
    );
    expect(
      sql.some(
        (s) => s.service === 'mcp-tools' && ancestry(spans, s).includes('mcp-tools: tool call'),
      ),
    ).toBe(true);
    expect(sql.some((s) => s.service === 'orchestrator')).toBe(true);
    expect(notes.statusCode).not.toBe(2);
    const redis = spans.filter(
      (s) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis',
    );
    expect(redis.length).toBeGreaterThan(0);

    // The task's webhook: delivered by the orchestrator's sender in a span of the task's trace, the
    // receiver given that trace's context.
    const delivery = span(spans, 'orchestrator', 'webhook delivery');
    expect(delivery.attributes['switchboard.task_id']).toBe(demo.taskId);
    expect(ancestry(spans, delivery).at(-1)).toBe('gateway: POST /orchestrate/stream');
    const hooked = platform.webhooks.received.filter((r) => r.path.startsWith('/ended'));
    expect(hooked.map((r) => r.headers['traceparent'])).toEqual([
      expect.stringMatching(new RegExp(`^00-${demo.traceId}-[0-9a-f]{16}-01$`)),
    ]);

    // The task's audit records (its submission's, its tool calls', its end's) are relayed from the
    // orchestrator's journal after their commits (docs/architecture.md, "The audit relay"), in the
    // task's trace, and each names it — as does its webhook's delivery record.
    const records = await waitFor(
      async () => {
        const rows = await platform.stack.dbs.audit.query<{ action: string; traceId: string }>(
          'SELECT action, "traceId" FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY action',
          [demo.taskId],
        );
        return rows.length >= 5 ? rows : undefined;
      },
      { what: "the demo task's audit records" },
    );
    expect(records).toEqual(
      ['task.completed', 'task.submit', 'tool.call', 'tool.call', 'webhook.delivered'].map(
        (action) => ({
          action,
          traceId: demo.traceId,
        }),
      ),
    );

    // Every NATS message of the task carried the trace (and the request id as correlation id).
    const ofTask = platform.seen.filter((m) => m.headers['x-correlation-id'] === demo.requestId);
    expect(ofTask.length).toBeGreaterThan(5);
    for (const m of ofTask)
      expect({ subject: m.subject, traceparent: m.headers['traceparent'] }).toEqual({
        subject: m.subject,
        traceparent: expect.stringMatching(new RegExp(`^00-${demo.traceId}-[0-9a-f]{16}-01$`)),
      });
  });

  it('the delegation demo is one trace across all six services and both agents’ bridges, the XEP-0332 exchange continuing it through the stanza’s headers', async () => {
    const spans = await traceOf(delegation, {
      gateway: ['POST /orchestrate/stream'],
      // The audit records are relayed after the task's commits, possibly in a later batch than the
      // rest: the trace is complete once their relay and chaining have arrived too.
      orchestrator: ['task', 'step agent', 'nats request sb.cmd.a2a.delegate', 'audit relay'],
      'mcp-tools': ['nats handle sb.cmd.tools.manifest'],
      a2a: ['nats handle sb.cmd.a2a.delegate', 'a2a delegate', 'a2a http POST'],
      'xmpp-bridge': ['nats handle sb.cmd.xmpp.http.stream', 'xmpp http out'],
      'bridge-researcher': ['xmpp http in'],
      'bridge-writer': ['xmpp http in'],
      audit: ['jetstream process sb.audit.{category}.{taskId}.{tenantId}', 'audit chain'],
    });
    expectDelegationAcrossXmpp(spans);
    expectOneTaskTrace(platform.receiver, delegation, spans, platform.secrets);
  });

  it('every query of the Grafana dashboard and of the alert rules reads a series the services export, with labels they carry', async () => {
    const texts = await Promise.all(
      [
        ...SERVICES.map((s) => platform.stack.services[s]!.url),
        ...AGENTS.map((a) => platform.bridges[a]!.url),
      ].map(async (url) => (await fetch(`${url}/metrics`)).text()),
    );
    const exported = exportedSeries(texts);
    const dashboard = JSON.parse(
      readFileSync(join(repoRoot, 'k8s/switchboard/files/grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets?: { expr: string }[] }[];
      templating: { list: { query?: unknown }[] };
    };
    const rules = parseYaml(
      readFileSync(join(repoRoot, 'k8s/switchboard/files/prometheus-rules.yaml'), 'utf8'),
    ) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const queries = [
      ...dashboard.panels.flatMap((p) =>
        (p.targets ?? []).map((t) => [`panel "${p.title}"`, t.expr] as const),
      ),
      ...rules.groups.flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.expr] as const)),
    ];
    expect(queries.length).toBeGreaterThan(50);
    // Labels every series has (the services' own) and those Prometheus adds to `up` per target.
    const everywhere = new Set(['service', 'service_instance_id']);
    const problems: string[] = [];
    for (const [where, expr] of queries) {
      const q = analysePromQL(expr);
      if (q.errors.length) problems.push(`${where}: does not parse (${q.errors.join('; ')})`);
      for (const s of q.selectors) {
        if (s.metric === 'up') continue; // Prometheus' own series for each scrape target
        const family = exported.get(s.metric);
        if (!family) {
          problems.push(`${where}: ${s.metric} is not exported`);
          continue;
        }
        for (const l of s.labels)
          if (family.labels.size && !family.labels.has(l) && !everywhere.has(l))
            problems.push(`${where}: ${s.metric} has no label ${l}`);
      }
      for (const g of q.groupings) {
        const labelled = g.metrics
          .map((m) => exported.get(m))
          .filter((f) => f !== undefined && f.labels.size > 0);
        for (const l of g.labels)
          if (labelled.length && !everywhere.has(l) && !labelled.some((f) => f!.labels.has(l)))
            problems.push(`${where}: groups by ${l}, which none of ${g.metrics.join(', ')} has`);
      }
    }
    const variable = JSON.stringify(dashboard.templating.list);
    for (const [, metric] of variable.matchAll(/label_values\((\w+),/g))
      if (!exported.has(metric!)) problems.push(`dashboard variable: ${metric} is not exported`);
    expect(problems).toEqual([]);

    // After the demos the task, HTTP, tool, model, consumer and XMPP series have samples, and no
    // series carries Prometheus' own `instance` label.
    for (const name of [
      'sb_tasks_submitted_total',
      'sb_tasks_finished_total',
      'sb_task_duration_seconds_bucket',
      'sb_tasks_in_flight',
      'sb_http_request_duration_seconds_bucket',
      'sb_tool_call_duration_seconds_bucket',
      'sb_llm_call_duration_seconds_bucket',
      'sb_jetstream_consumer_pending',
      'sb_jetstream_consumer_redelivered',
      'sb_xmpp_http_exchange_duration_seconds_bucket',
      'sb_a2a_delegation_duration_seconds_bucket',
      'sb_readiness_check_up',
    ])
      expect({ name, sampled: (exported.get(name)?.labels.size ?? 0) > 0 }).toEqual({
        name,
        sampled: true,
      });
    expect([...exported.values()].some((f) => f.labels.has('instance'))).toBe(false);
    const orchestrator = texts[SERVICES.indexOf('orchestrator')]!;
    expect(orchestrator).toMatch(
      /^sb_tasks_finished_total\{(?=[^}]*outcome="completed")[^}]*\} 2$/m,
    );
    expect(orchestrator).toMatch(
      /^sb_jetstream_consumer_pending\{(?=[^}]*stream="SB_TASKS")(?=[^}]*consumer="orchestrator")[^}]*\} 0$/m,
    );
    for (const kind of AGENTS)
      expect(texts[SERVICES.length + AGENTS.indexOf(kind)]).toMatch(
        /^sb_xmpp_http_exchange_duration_seconds_count\{(?=[^}]*direction="in")[^}]*\} [1-9]/m,
      );
  });

  it('a real Prometheus scraping every service loads the alert rules, evaluates each without error, and answers every dashboard query', async () => {
    const hostOf = (url: string) => new URL(url).host;
    const prometheus = await startPrometheus({
      targets: Object.fromEntries([
        ...SERVICES.map((s) => [s, [hostOf(platform.stack.services[s]!.url)]]),
        ...AGENTS.map((a) => [`bridge-${a}`, [hostOf(platform.bridges[a]!.url)]]),
      ]),
      ruleFiles: [join(repoRoot, 'k8s/switchboard/files/prometheus-rules.yaml')],
    });
    try {
      await prometheus.targetsUp();
      const rules = await prometheus.rulesEvaluated();
      expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
      expect(rules.length).toBeGreaterThan(10);
      // Rates need two scrapes within their window: wait until every target has had them.
      const window = '30s';
      const targets = SERVICES.length + AGENTS.length;
      await waitFor(
        async () =>
          (await prometheus.query(`count_over_time(up[${window}]) >= 2`)).data?.result.length ===
          targets,
        { timeoutMs: 30_000, intervalMs: 250, what: 'two scrapes of every target' },
      );
      const dashboard = JSON.parse(
        readFileSync(join(repoRoot, 'k8s/switchboard/files/grafana-dashboard.json'), 'utf8'),
      ) as { panels: { title: string; targets?: { expr: string }[] }[] };
      // Grafana's variables as a dashboard shows them by default: the rate interval, "All" services.
      const asShown = (expr: string) =>
        expr.replace(/\$\{?__rate_interval\}?/g, window).replace(/\$\{?service\}?/g, '.*');
      const answers = await Promise.all(
        dashboard.panels.flatMap((p) =>
          (p.targets ?? []).map(async (t) => ({
            panel: p.title,
            expr: t.expr,
            answer: await prometheus.query(asShown(t.expr)),
          })),
        ),
      );
      expect(answers.filter((a) => a.answer.status !== 'success')).toEqual([]);
      // What the two demo tasks must show on the dashboard.
      const series = (panel: string) =>
        answers
          .filter((a) => a.panel === panel)
          .flatMap((a) => a.answer.data?.result ?? [])
          .map((r) => r.metric);
      expect(series('Tasks ended, by outcome')).toContainEqual({ outcome: 'completed' });
      expect(series('Tool calls, by tool and outcome')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ tool: 'calculator', outcome: 'ok' }),
          expect.objectContaining({ tool: 'notes.add', outcome: 'ok' }),
        ]),
      );
      expect(series('Delegations, by agent and outcome')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ agent: 'researcher' }),
          expect.objectContaining({ agent: 'writer' }),
        ]),
      );
      expect(series('XMPP sessions online').length).toBeGreaterThan(0);
    } finally {
      await prometheus.stop();
    }
  }, 120_000);

  it('a demo task leaves its access, lifecycle and tool lines at info, each with its trace id, and nothing secret', () => {
    const lines = (service: string): Line[] =>
      platform.stack.services[service]!.logs()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    const inTrace = (service: string) =>
      lines(service).filter((l) => l['traceId'] === demo.traceId);

    const gateway = inTrace('gateway');
    expect(gateway).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'info',
          msg: 'http request',
          method: 'POST',
          route: '/orchestrate/stream',
          path: '/orchestrate/stream',
          status: 200,
          correlationId: demo.requestId,
          userId: expect.stringMatching(/^telemetry-/),
          durationMs: expect.any(Number),
          spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
        }),
        expect.objectContaining({ level: 'info', msg: 'task submitted', taskId: demo.taskId }),
      ]),
    );
    const orchestrator = inTrace('orchestrator').filter((l) => l['taskId'] === demo.taskId);
    expect(orchestrator.map((l) => [l['level'], l['msg']])).toEqual(
      expect.arrayContaining([
        ['info', 'task started'],
        ['info', 'task finished'],
      ]),
    );
    expect(orchestrator.find((l) => l['msg'] === 'task finished')).toMatchObject({
      outcome: 'completed',
      steps: 2,
      // Two rounds the stub reports at its default 100 + 20 tokens, then 50 + 12.
      tokens: 302,
      durationMs: expect.any(Number),
    });
    const toolLines = inTrace('mcp-tools').filter((l) => l['msg'] === 'tool call');
    expect(toolLines.map((l) => [l['level'], l['tool'], l['outcome'], l['taskId']]).sort()).toEqual(
      [
        ['info', 'calculator', 'ok', demo.taskId],
        ['info', 'notes.add', 'ok', demo.taskId],
      ],
    );
    // No secret in any log of the platform or of the agents' bridges.
    const all = [
      ...SERVICES.map((s) => platform.stack.services[s]!.logs()),
      ...AGENTS.map((a) => platform.bridges[a]!.logs()),
    ].join('\n');
    for (const secret of platform.secrets) expect(all).not.toContain(secret);
  });
});
