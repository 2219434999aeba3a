// The platform as operators run it with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver:
// all six services, Prosody, the two sample agents behind their own bridges (as examples/agents.sh
// starts them), and the LLM planner against a scripted OpenAI-compatible server.
import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  connectAs,
  type LlmStub,
  type OtlpReceiver,
  type ReceivedSpan,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startLlmStub,
  startOtlpReceiver,
  startPrivateProsody,
  startService,
  startStack,
  startWebhookReceiver,
  tempDir,
  waitFor,
  type WebhookReceiver,
} from '@switchboard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

const DOMAIN = 'agents.switchboard.local';
export const SERVICES = [
  'gateway',
  'orchestrator',
  'mcp-tools',
  'a2a',
  'audit',
  'xmpp-bridge',
] as const;
export const AGENTS = ['researcher', 'writer'] as const;

/** OTLP's span kinds. */
export const SpanKinds = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface TracedPlatform {
  receiver: OtlpReceiver;
  llm: LlmStub;
  stack: Stack;
  bridges: Record<string, ServiceHandle>;
  /** The XMPP passwords and the model's API key: what no log may show. */
  secrets: string[];
  /** Every `sb.*` message NATS carried, with its headers (lower-case names). */
  seen: { subject: string; headers: Record<string, string> }[];
  /** Where tasks' own webhooks are delivered (a real HTTP server). */
  webhooks: WebhookReceiver;
  stop(): Promise<void>;
}

/** What lets the orchestrator call a webhook receiver on 127.0.0.1 over plain HTTP (refused by default). */
export const LOCAL_WEBHOOKS = { WEBHOOK_HTTPS_ONLY: 'false', WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' };

/** A task run by a client from inside its own trace (the gateway continues its traceparent). */
export interface TracedRun {
  traceId: string;
  clientSpanId: string;
  requestId: string;
  taskId: string;
  events: Tasks.TaskEvent[];
}

/** `shape`: the six services as one process each (default) or as one cell, as `npm run up` runs them. */
export async function startTracedPlatform(
  opts: { shape?: 'services' | 'cell' } = {},
): Promise<TracedPlatform> {
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    const receiver = await startOtlpReceiver();
    started.push({ stop: () => receiver.close() });
    const llm = await startLlmStub();
    started.push(llm);
    const webhooks = await startWebhookReceiver();
    started.push({ stop: () => webhooks.close() });
    const accounts = {
      platform: `pw-${randomUUID()}`,
      researcher: `pw-${randomUUID()}`,
      writer: `pw-${randomUUID()}`,
    };
    const prosody = await startPrivateProsody({
      accounts: Object.entries(accounts).map(([user, password]) => ({
        user,
        host: DOMAIN,
        password,
      })),
    });
    started.push(prosody);
    const xmpp = (user: keyof typeof accounts) => ({
      AZTM_JID: `${user}@${DOMAIN}`,
      AZTM_PASSWORD: accounts[user],
      AZTM_HOST: '127.0.0.1',
      AZTM_PORT: String(prosody.c2sPort),
      AZTM_TLS: 'starttls',
      XMPP_BRIDGE_CA_FILE: prosody.caFile,
    });
    const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const bridges = await startAgents(xmpp, traced, started);
    const serviceMap = AGENTS.map((a) => `${a}.${DOMAIN}=${a}@${DOMAIN}`).join(',');
    const apiKey = `sk-telemetry-${randomUUID()}`;
    const stack = await startStack({
      ...(opts.shape ? { shape: opts.shape } : {}),
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      common: traced,
      env: {
        orchestrator: {
          ...LOCAL_WEBHOOKS,
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: apiKey,
          LLM_MODEL: 'stub-model',
        },
        'xmpp-bridge': { ...xmpp('platform'), SERVICE_MAP: serviceMap, AZTM_SERVER_MODE: 'false' },
        a2a: {
          SERVICE_MAP: serviceMap,
          A2A_AGENTS: AGENTS.map((a) => `${a}=http://${a}.${DOMAIN}`).join(','),
        },
      },
    });
    started.push(stack);
    // every message of the task: what the operator's identity may read (a service's may not)
    const watcher = await connectAs({ identity: 'operator', nats: stack.natsSettings('operator') });
    started.push({ stop: () => watcher.close() });
    const seen = await watch(watcher);
    return {
      receiver,
      llm,
      stack,
      bridges,
      secrets: [apiKey, ...Object.values(accounts)],
      seen,
      webhooks,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The two sample agents, each behind its own bridge (server mode, no NATS) exporting its spans. */
async function startAgents(
  xmpp: (user: 'researcher' | 'writer') => Record<string, string>,
  traced: Record<string, string>,
  started: { stop(): Promise<unknown> }[],
): Promise<Record<string, ServiceHandle>> {
  const logDir = tempDir('telemetry');
  const socketDir = tempDir('telemetry-sockets');
  const bridges: Record<string, ServiceHandle> = {};
  for (const kind of AGENTS) {
    const socket = join(socketDir, `${kind}.sock`);
    const agent = await startService(
      `agent-${kind}`,
      {
        NODE_OPTIONS: '--import tsx',
        AGENT_KIND: kind,
        PUBLIC_URL: `http://${kind}.${DOMAIN}`,
        AGENT_SOCKET: socket,
        AGENT_STEP_DELAY_MS: '0',
      },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir },
    );
    started.push(agent);
    const bridge = await startService(
      `bridge-${kind}`,
      {
        ...xmpp(kind),
        ...traced,
        OTEL_SERVICE_NAME: `bridge-${kind}`,
        XMPP_BRIDGE_NATS_COMMANDS: 'false',
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
        XMPP_BRIDGE_HTTP_TARGET: `http://${kind}.${DOMAIN}`,
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: socket,
      },
      { entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'), logDir },
    );
    started.push(bridge);
    bridges[kind] = bridge;
  }
  return bridges;
}

/** Records every `sb.*` message from now on, with its headers. */
async function watch(connection: NatsConnection): Promise<TracedPlatform['seen']> {
  const seen: TracedPlatform['seen'] = [];
  connection.subscribe('sb.>', {
    callback: (err, msg) => {
      if (err) return;
      const headers: Record<string, string> = {};
      const h = msg.headers;
      for (const k of h?.keys() ?? []) headers[k.toLowerCase()] = h?.get(k) ?? '';
      seen.push({ subject: msg.subject, headers });
    },
  });
  await connection.flush();
  return seen;
}

/**
 * Runs `task` through the gateway to its terminal event: from inside a client trace (the gateway
 * continues its traceparent), or with `fresh` from none (the gateway's span starts the trace: its id
 * is read from the task's spans). `body` adds to the request (a webhook, say).
 */
export async function runTracedTask(
  gatewayUrl: string,
  task: string,
  opts: { fresh?: boolean; body?: Record<string, unknown>; user?: string } = {},
): Promise<TracedRun> {
  const traceId = opts.fresh ? '' : randomBytes(16).toString('hex');
  const clientSpanId = opts.fresh ? '' : randomBytes(8).toString('hex');
  const requestId = `telemetry-${randomUUID()}`;
  const response = await fetch(`${gatewayUrl}/orchestrate/stream`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-user-id': opts.user ?? `telemetry-${randomUUID().slice(0, 8)}`,
      'x-request-id': requestId,
      ...(opts.fresh ? {} : { traceparent: `00-${traceId}-${clientSpanId}-01` }),
    },
    body: JSON.stringify({ task, ...opts.body }),
  });
  if (response.status !== 200) throw new Error(`${task}: HTTP ${response.status}`);
  const taskId = response.headers.get('x-task-id') ?? '';
  const events = (await collectSse(response)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
  const last = events[events.length - 1]?.name;
  if (last !== 'orchestrator.task.completed') throw new Error(`${task}: ended with ${last}`);
  return { traceId, clientSpanId, requestId, taskId, events };
}

/** A fresh run's trace id: the trace its orchestrator's `task` span was recorded in. */
export async function withTraceIdOf(receiver: OtlpReceiver, run: TracedRun): Promise<TracedRun> {
  if (run.traceId) return run;
  const task = await waitFor(
    () =>
      receiver
        .spans()
        .find((s) => s.name === 'task' && s.attributes['switchboard.task_id'] === run.taskId),
    { timeoutMs: 60_000, intervalMs: 250, what: `the task span of ${run.taskId}` },
  );
  return { ...run, traceId: task.traceId };
}

/**
 * The trace of `run` once every span named in `expected` (by service) has arrived and every span's
 * parent is in it (the services export in batches, every few seconds).
 */
export async function traceOf(
  receiver: OtlpReceiver,
  run: TracedRun,
  expected: Record<string, string[]>,
): Promise<ReceivedSpan[]> {
  let last: ReceivedSpan[] = [];
  try {
    return await waitFor(
      () => {
        last = receiver.trace(run.traceId);
        const ids = new Set(last.map((s) => s.spanId));
        const complete = Object.entries(expected).every(([service, names]) =>
          names.every((n) => last.some((s) => s.service === service && s.name === n)),
        );
        // every span's parent is in the trace: the caller's span, or none for a fresh run's root
        const linked = last.every((s) =>
          run.clientSpanId
            ? s.parentSpanId === run.clientSpanId || ids.has(s.parentSpanId ?? '')
            : !s.parentSpanId || ids.has(s.parentSpanId),
        );
        return complete && linked ? last : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `the spans of trace ${run.traceId}` },
    );
  } catch (e) {
    const got = last.map((s) => `${s.service}: ${s.name} (parent ${s.parentSpanId ?? '-'})`);
    throw new Error(`${(e as Error).message}\nreceived:\n${got.join('\n')}`, { cause: e });
  }
}

/** The span of `service` named `name` (the first of several, in arrival order). */
export function spanNamed(spans: ReceivedSpan[], service: string, name: string): ReceivedSpan {
  const found = spans.find((s) => s.service === service && s.name === name);
  if (!found) throw new Error(`no span "${name}" from ${service}`);
  return found;
}

/** The spans from `s`'s parent up to the root, each as `service: name`. */
export function ancestry(spans: ReceivedSpan[], s: ReceivedSpan): string[] {
  const parentOf = (x: ReceivedSpan) => spans.find((p) => p.spanId === x.parentSpanId);
  const path: string[] = [];
  for (let p = parentOf(s); p; p = parentOf(p)) path.push(`${p.service}: ${p.name}`);
  return path;
}

/**
 * What makes `spans` one trace per task: the gateway's request span is its only root (the only child
 * of the caller's span when the caller sent one), no span outside it names the task, the audit
 * service chained the task's records in a span of it (below the orchestrator's relay), and nothing
 * secret is in any span the receiver got.
 */
export function expectOneTaskTrace(
  receiver: OtlpReceiver,
  run: TracedRun,
  spans: ReceivedSpan[],
  secrets: readonly string[],
): void {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  expect(roots.map((s) => [s.service, s.name, s.kind, s.parentSpanId ?? ''])).toEqual([
    ['gateway', 'POST /orchestrate/stream', SpanKinds.SERVER, run.clientSpanId],
  ]);
  const elsewhere = receiver
    .spans()
    .filter((s) => s.traceId !== run.traceId && s.attributes['switchboard.task_id'] === run.taskId);
  expect(elsewhere.map((s) => `${s.service}: ${s.name}`)).toEqual([]);
  const chained = spans.filter(
    (s) =>
      s.service === 'audit' &&
      s.name === 'audit chain' &&
      s.attributes['switchboard.task_id'] === run.taskId,
  );
  expect(chained.length).toBeGreaterThan(0);
  for (const c of chained) {
    const path = ancestry(spans, c);
    expect(path).toContain('orchestrator: audit relay');
    expect(path.at(-1)).toBe('gateway: POST /orchestrate/stream');
  }
  const shown = JSON.stringify(receiver.spans().map((s) => [s.name, s.attributes]));
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

/**
 * What the delegation demo's trace shows: all six services and both agents' bridges, each agent's
 * bridge continuing the platform bridge's exchange span carried in the XEP-0332 stanza, within the
 * delegation of one of the task's steps.
 */
export function expectDelegationAcrossXmpp(spans: ReceivedSpan[]): void {
  expect(new Set(spans.map((s) => s.service))).toEqual(
    new Set([...SERVICES, 'bridge-researcher', 'bridge-writer']),
  );
  for (const kind of AGENTS) {
    const served = spans.filter((s) => s.service === `bridge-${kind}` && s.name === 'xmpp http in');
    expect(served.length).toBeGreaterThan(0);
    for (const s of served) {
      expect(s.kind).toBe(SpanKinds.SERVER);
      // The agent's bridge continued the platform bridge's exchange span, carried in the stanza,
      // within the delegation of one of the task's steps.
      const path = ancestry(spans, s);
      expect(path[0]).toBe('xmpp-bridge: xmpp http out');
      expect(path).toEqual(
        expect.arrayContaining([
          'a2a: a2a delegate',
          'a2a: nats handle sb.cmd.a2a.delegate',
          'orchestrator: nats request sb.cmd.a2a.delegate',
          'orchestrator: step agent',
          'orchestrator: task',
        ]),
      );
      expect(path.at(-1)).toBe('gateway: POST /orchestrate/stream');
    }
    // The A2A streaming call itself, hop by hop.
    expect(served.map((s) => ancestry(spans, s).slice(0, 9))).toContainEqual([
      'xmpp-bridge: xmpp http out',
      'xmpp-bridge: nats handle sb.cmd.xmpp.http.stream',
      'a2a: nats request sb.cmd.xmpp.http.stream',
      'a2a: a2a http POST',
      'a2a: a2a delegate',
      'a2a: nats handle sb.cmd.a2a.delegate',
      'orchestrator: nats request sb.cmd.a2a.delegate',
      'orchestrator: step agent',
      'orchestrator: task',
    ]);
  }
  // The platform bridge's exchanges are HTTP client spans that name the status the agent answered.
  const sent = spans.filter((s) => s.service === 'xmpp-bridge' && s.name === 'xmpp http out');
  expect(sent.map((s) => s.kind)).toEqual(sent.map(() => SpanKinds.CLIENT));
  expect(sent.map((s) => s.attributes['http.response.status_code'])).toContain(200);
  // Each agent's delegation over XMPP, in the plan's order (a step retried under load delegates again).
  const delegations = spans
    .filter((s) => s.name === 'a2a delegate')
    .map(
      (d) => `${d.attributes['switchboard.agent']} over ${d.attributes['switchboard.transport']}`,
    );
  expect([...new Set(delegations)]).toEqual(['researcher over xmpp', 'writer over xmpp']);
}
