import { A2a, type DomainError, Tasks } from '@switchboard/contracts';
import {
  collectSse,
  createBusClient,
  type LlmStub,
  type PrivateProsody,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startPrivateProsody,
  startLlmStub,
  startService,
  startStack,
  tempDir,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';

const DOMAIN = 'agents.switchboard.local';
const TASK = 'ask the researcher about NATS JetStream, then have the writer draft a summary';

// Acceptance scenario 2 on real processes: gateway → orchestrator → a2a → xmpp-bridge → Prosody → the
// agent's own bridge (server mode) → the agent's unix socket, and back. The agents are only reachable
// through their bridges: they serve A2A on a socket only their bridge uses (their TCP port has health
// and stats alone), and their cards advertise hosts that resolve nowhere but SERVICE_MAP.
describe('delegation to remote agents across XMPP (real processes, Prosody and sample A2A agents)', () => {
  let prosody: PrivateProsody;
  let stack: Stack;
  const agents: Record<string, ServiceHandle> = {};
  const agentBridges: Record<string, ServiceHandle> = {};
  const logDir = tempDir('delegation');
  const socketDir = tempDir('delegation-sockets');
  const password = (name: string) => `pw-${name}-${randomUUID()}`;
  const accounts = {
    platform: password('platform'),
    researcher: password('researcher'),
    writer: password('writer'),
    slow: password('slow'),
    rogue: password('rogue'),
  };
  const hostOf = (name: string) => `${name}.${DOMAIN}`;
  const AGENTS = ['researcher', 'writer', 'slow', 'rogue'] as const;
  const serviceMap = AGENTS.map((a) => `${hostOf(a)}=${a}@${DOMAIN}`).join(',');
  // The rogue agent: its card (fetched over XMPP) names a loopback HTTP interface, the honeypot. A
  // platform that believed it would send the agent's JSON-RPC there directly, around XMPP.
  let honeypot: Recorder;
  let rogueCard: Recorder;

  beforeAll(async () => {
    prosody = await startPrivateProsody({
      accounts: Object.entries(accounts).map(([user, pw]) => ({
        user,
        host: DOMAIN,
        password: pw,
      })),
    });
    const xmpp = (user: keyof typeof accounts) => ({
      AZTM_JID: `${user}@${DOMAIN}`,
      AZTM_PASSWORD: accounts[user],
      AZTM_HOST: '127.0.0.1',
      AZTM_PORT: String(prosody.c2sPort),
      AZTM_TLS: 'starttls',
      XMPP_BRIDGE_CA_FILE: prosody.caFile,
    });
    const bridgeFor = async (name: string, target: Record<string, string>) => {
      // The agent's own bridge: server mode only, no NATS, serving the platform's JID alone.
      agentBridges[name] = await startService(
        `bridge-${name}`,
        {
          ...xmpp(name as keyof typeof accounts),
          XMPP_BRIDGE_NATS_COMMANDS: 'false',
          XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
          ...target,
        },
        { entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'), logDir },
      );
    };
    for (const kind of ['researcher', 'writer', 'slow'] as const) {
      const socket = join(socketDir, `${kind}.sock`);
      agents[kind] = await startService(
        `agent-${kind}`,
        {
          NODE_OPTIONS: '--import tsx',
          AGENT_KIND: kind === 'slow' ? 'researcher' : kind,
          PUBLIC_URL: `http://${hostOf(kind)}`,
          AGENT_SOCKET: socket,
          // A task of the slow agent takes minutes: long enough to be cancelled while it works.
          ...(kind === 'slow' ? { AGENT_STEP_DELAY_MS: '60000' } : {}),
        },
        { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir },
      );
      await bridgeFor(kind, {
        XMPP_BRIDGE_HTTP_TARGET: `http://${hostOf(kind)}`,
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: socket,
      });
    }
    honeypot = await startRecorder(() => ({ status: 200, body: '{"jsonrpc":"2.0","result":{}}' }));
    rogueCard = await startRecorder((req) =>
      req.url === '/.well-known/agent-card.json'
        ? { status: 200, body: JSON.stringify(cardPointingAt(`${honeypot.url}/a2a`)) }
        : { status: 404, body: '' },
    );
    await bridgeFor('rogue', { XMPP_BRIDGE_HTTP_TARGET: rogueCard.url });
    // Its NATS enforces the platform's permissions: each service connects as its own identity.
    stack = await startStack({
      natsIdentities: true,
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      env: {
        'xmpp-bridge': { ...xmpp('platform'), SERVICE_MAP: serviceMap, AZTM_SERVER_MODE: 'false' },
        a2a: {
          SERVICE_MAP: serviceMap,
          A2A_AGENTS: AGENTS.map((a) => `${a}=http://${hostOf(a)}`).join(','),
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await Promise.allSettled(
      [...Object.values(agentBridges), ...Object.values(agents)].map((p) => p.stop()),
    );
    await Promise.allSettled([honeypot?.close(), rogueCard?.close()]);
    await prosody?.stop();
    // Every service (the bridge's streamed replies too) had the NATS permissions it needed.
    expect(refused).toEqual([]);
  });

  it('lists the agents as reached over XMPP, from cards fetched through the bridge', async () => {
    const r = await fetch(`${stack.gatewayUrl}/agents`, { headers: { 'x-user-id': 'alice' } });
    expect(r.status).toBe(200);
    const { agents: listed } = (await r.json()) as { agents: A2a.AgentSummary[] };
    expect(listed.map((a) => [a.name, a.transport, a.available, a.protocolVersion])).toEqual([
      ['researcher', 'xmpp', true, '1.0'],
      ['writer', 'xmpp', true, '1.0'],
      ['slow', 'xmpp', true, '1.0'],
      ['rogue', 'xmpp', false, undefined],
    ]);
  });

  it('serves the agents only through their bridges: their TCP ports answer no A2A', async () => {
    for (const kind of ['researcher', 'writer']) {
      const url = agents[kind]!.url;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const rpc = await fetch(`${url}/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: {} }),
      });
      expect(rpc.status).toBe(404);
      expect((await fetch(`${url}/.well-known/agent-card.json`)).status).toBe(404);
    }
  });

  it("refuses a card that points the agent's traffic around XMPP, and never calls where it points", async () => {
    const r = await fetch(`${stack.gatewayUrl}/agents`, { headers: { 'x-user-id': 'alice' } });
    const { agents: listed } = (await r.json()) as { agents: A2a.AgentSummary[] };
    const rogue = listed.find((a) => a.name === 'rogue');
    expect(rogue).toMatchObject({ available: false, transport: 'xmpp' });
    expect(rogue?.problem).toContain(
      `names the interface ${new URL(honeypot.url).origin}, not its own origin http://${hostOf('rogue')}`,
    );
    // The card itself came over XMPP (the rogue's bridge fetched it for the platform's JID).
    expect(rogueCard.requests.some((q) => q.url === '/.well-known/agent-card.json')).toBe(true);
    expect(rogueCard.requests.every((q) => q.headers['x-xmpp-from'] === `platform@${DOMAIN}`)).toBe(
      true,
    );

    const bus = await createBusClient(
      stack.nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    try {
      const refused = await bus.bus
        .request(
          A2a.Delegate,
          {
            delegationId: randomUUID(),
            taskId: randomUUID(),
            stepId: 's1',
            agent: 'rogue',
            message: 'NATS JetStream',
          },
          { actor: { userId: 'alice', role: 'user' }, timeoutMs: 30_000 },
        )
        .then(
          () => undefined,
          (e: unknown) => e as DomainError,
        );
      expect(refused?.code).toBe('UPSTREAM_ERROR');
      expect(refused?.message).toContain('a card may not send');
    } finally {
      await bus.close();
    }
    expect(honeypot.requests).toEqual([]);
  });

  it('forwards a cancellation to an agent behind XMPP as CancelTask, while its task works', async () => {
    const bus = await createBusClient(
      stack.nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    try {
      const delegationId = randomUUID();
      const updates: A2a.DelegationUpdate[] = [];
      const sub = bus.bus.connection.subscribe(A2a.DelegationProgress.subject(delegationId), {
        callback: (err, msg) => {
          if (!err) updates.push(A2a.DelegationUpdate.parse(payloadOf(msg.data)));
        },
      });
      await bus.bus.connection.flush();
      const done = bus.bus
        .request(
          A2a.Delegate,
          {
            delegationId,
            taskId: randomUUID(),
            stepId: 's1',
            agent: 'slow',
            message: 'NATS JetStream',
          },
          { actor: { userId: 'alice', role: 'user' }, timeoutMs: 120_000 },
        )
        .then(
          () => undefined,
          (e: unknown) => e as DomainError,
        )
        .finally(() => sub.unsubscribe());
      const working = await waitFor(
        () => updates.find((u) => u.kind === 'status' && u.state === 'TASK_STATE_WORKING'),
        { timeoutMs: 30_000, what: 'the slow agent working (streamed over XMPP)' },
      );
      const remoteTaskId = working.kind === 'status' ? working.remoteTaskId : undefined;
      expect(remoteTaskId).toBeDefined();
      bus.bus.publish(A2a.DelegationCancel, [delegationId], {
        delegationId,
        reason: 'user changed their mind',
      });
      const cancelled = await done;
      expect(cancelled?.code).toBe('CANCELLED');
      expect(updates[updates.length - 1]).toMatchObject({
        kind: 'status',
        transport: 'xmpp',
        state: 'TASK_STATE_CANCELED',
        remoteTaskId,
      });
      const stats = (await (await fetch(`${agents['slow']!.url}/stats`)).json()) as {
        methods: Record<string, number>;
        cancelled: string[];
      };
      expect(stats.methods['CancelTask']).toBe(1);
      await waitFor(
        async () =>
          (
            (await (await fetch(`${agents['slow']!.url}/stats`)).json()) as typeof stats
          ).cancelled.includes(remoteTaskId!),
        { what: 'the slow agent to cancel its task' },
      );
      // CancelTask crossed XMPP: the agent's bridge served it for the platform's JID.
      const cancelLine = agents['slow']!.logs()
        .split('\n')
        .filter((l) => l.includes('"rpc":"CancelTask"'))
        .map((l) => JSON.parse(l) as { via?: string });
      expect(cancelLine).toEqual([expect.objectContaining({ via: `platform@${DOMAIN}` })]);
    } finally {
      await bus.close();
    }
  });

  it('stores the task as waiting on the remote agent while it works, shown as running, and a cancel ends it there', async () => {
    const user = `waiting-${randomUUID()}`;
    const headers = { 'content-type': 'application/json', 'x-user-id': user };
    const accepted = await fetch(`${stack.gatewayUrl}/orchestrate?async=true`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ task: 'ask the slow about NATS JetStream' }),
    });
    expect(accepted.status).toBe(202);
    const { task_id: taskId } = (await accepted.json()) as { task_id: string };
    const stored = async () =>
      (
        await stack.dbs.orchestrator.query<{ status: string }>(
          'SELECT "status" FROM "Task" WHERE "id" = $1',
          [taskId],
        )
      )[0]?.status;
    const journaled = async (name: string) =>
      (
        await stack.dbs.orchestrator.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM "TaskEvent" WHERE "taskId" = $1 AND "name" = $2',
          [taskId, name],
        )
      )[0]?.n ?? 0;
    // The agent is working (its status came over XMPP and was journaled): the task waits on it.
    await waitFor(async () => (await journaled('a2a.delegation.status')) > 0, {
      timeoutMs: 30_000,
      what: 'the slow agent working on the delegation',
    });
    expect(await stored()).toBe('waiting_remote');
    const view = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers })
    ).json()) as {
      status: string;
    };
    expect(view.status).toBe('running');
    const listed = (await (
      await fetch(`${stack.gatewayUrl}/tasks?status=running`, { headers })
    ).json()) as { tasks: { taskId: string }[] };
    expect(listed.tasks.map((t) => t.taskId)).toEqual([taskId]);
    const cancel = await fetch(`${stack.gatewayUrl}/tasks/${taskId}/cancel`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ reason: 'not needed' }),
    });
    expect(cancel.status).toBe(202);
    await waitFor(async () => (await stored()) === 'cancelled', {
      timeoutMs: 30_000,
      what: 'the task to end cancelled',
    });
    expect(await journaled('orchestrator.task.cancelled')).toBe(1);
  });

  it('runs the demo delegation task: both delegations cross XMPP and the events show them', async () => {
    const response = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': `demo-${randomUUID()}` },
      body: JSON.stringify({ task: TASK }),
    });
    expect(response.status).toBe(200);
    const events = (await collectSse(response)).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );
    const final = events[events.length - 1]!;
    expect(final.name).toBe('orchestrator.task.completed');

    const delegation = events.filter((e) => e.name.startsWith('a2a.delegation.'));
    const started = delegation.filter((e) => e.name === 'a2a.delegation.started');
    expect(started.map((e) => e.data)).toEqual([
      { stepId: 's1', agent: 'researcher', message: 'NATS JetStream', transport: 'xmpp' },
      { stepId: 's2', agent: 'writer', message: 'draft a summary', transport: 'xmpp' },
    ]);
    expect(delegation.every((e) => 'transport' in e.data && e.data.transport === 'xmpp')).toBe(
      true,
    );
    const statuses = (agent: string) =>
      delegation
        .filter((e) => e.name === 'a2a.delegation.status' && e.data.agent === agent)
        .map((e) => (e.name === 'a2a.delegation.status' ? [e.data.state, e.data.text] : []));
    // Streamed over XMPP (SendStreamingMessage, the SSE carried incrementally by both bridges): every
    // status the sample agent emits becomes a task event, in order — its WORKING steps included, not
    // only those a poll happens to land on.
    expect(statuses('researcher')).toEqual([
      ['TASK_STATE_SUBMITTED', undefined],
      ['TASK_STATE_WORKING', 'searching the library for "NATS JetStream"'],
      ['TASK_STATE_WORKING', 'reading 1 source'],
      ['TASK_STATE_COMPLETED', 'Found 3 findings about NATS JetStream.'],
    ]);
    expect(statuses('writer')).toEqual([
      ['TASK_STATE_SUBMITTED', undefined],
      ['TASK_STATE_WORKING', 'outlining'],
      ['TASK_STATE_WORKING', 'drafting the summary'],
      ['TASK_STATE_COMPLETED', expect.stringMatching(/^Drafted a \d+-word summary\.$/)],
    ]);
    const results = delegation.filter((e) => e.name === 'a2a.delegation.result');
    expect(
      results.map((e) => (e.name === 'a2a.delegation.result' ? [e.data.agent, e.data.state] : [])),
    ).toEqual([
      ['researcher', 'TASK_STATE_COMPLETED'],
      ['writer', 'TASK_STATE_COMPLETED'],
    ]);
    // Each delegation sits inside its step: started after the step is dispatched, result before it completes.
    const order = events.map(
      (e) => `${e.name}${'agent' in e.data ? `:${String(e.data.agent)}` : ''}`,
    );
    expect(order.indexOf('a2a.delegation.started:researcher')).toBeLessThan(
      order.indexOf('a2a.delegation.result:researcher'),
    );
    expect(order.indexOf('a2a.delegation.result:researcher')).toBeLessThan(
      order.indexOf('a2a.delegation.started:writer'),
    );

    // The writer drafted from the researcher's findings (handed over as context).
    const result = final.name === 'orchestrator.task.completed' ? final.data.result : '';
    expect(result).toContain('researcher replied: ## NATS JetStream');
    expect(result).toContain('writer replied: # Summary: NATS JetStream');
    expect(result).toContain('JetStream is the persistence layer');

    // Every A2A call went through the bridges: each request the agents logged came from their own
    // bridge on behalf of the platform's JID (X-Xmpp-From), never directly.
    for (const kind of ['researcher', 'writer']) {
      const stats = (await (await fetch(`${agents[kind]!.url}/stats`)).json()) as {
        methods: Record<string, number>;
      };
      // One streamed call followed the task to its end: no SendMessage, no polling.
      expect(stats.methods).toEqual({ SendStreamingMessage: 1 });
      const rpc = agents[kind]!.logs()
        .split('\n')
        .filter((l) => l.includes('"rpc"'))
        .map((l) => JSON.parse(l) as { rpc: string; via?: string });
      expect(rpc.map((l) => l.rpc)).toEqual(['SendStreamingMessage']);
      expect(rpc.every((l) => l.via === `platform@${DOMAIN}`)).toBe(true);
    }

    // The operators' view: the platform's bridge logs one `xmpp exchange` line per request it carried,
    // naming the JID it went to, and the agents' bridges one per request they served.
    const exchanges = (log: string) =>
      log
        .split('\n')
        .filter((l) => l.includes('"xmpp exchange"'))
        .map(
          (l) =>
            JSON.parse(l) as {
              direction: string;
              to?: string;
              from?: string;
              method: string;
              path: string;
              status?: number;
              outcome: string;
              streamed?: boolean;
            },
        );
    const out = exchanges(stack.services['xmpp-bridge']!.logs()).filter(
      (l) => l.direction === 'out',
    );
    for (const kind of ['researcher', 'writer']) {
      const toAgent = out.filter((l) => l.to === `${kind}@${DOMAIN}`);
      expect(toAgent.length).toBeGreaterThanOrEqual(2);
      // Every exchange answered (the ones that were not, printed whole when there are any). A
      // streamed one may end CANCELLED after a 200: the A2A client stops reading once the task's
      // final status came (its statuses are all above), and that can beat the agent closing its
      // SSE — the reader's cancel travels down to the agent's bridge, which logs it so.
      const answered = (l: (typeof toAgent)[number]) =>
        l.status !== undefined &&
        l.status < 400 &&
        (l.outcome === 'ok' || (l.streamed === true && l.outcome === 'CANCELLED'));
      expect(toAgent.filter((l) => !answered(l))).toEqual([]);
      // The card came as one exchange, the task's events as one streamed exchange.
      expect(toAgent.filter((l) => l.streamed)).toEqual([
        expect.objectContaining({ method: 'POST', path: '/a2a', status: 200 }),
      ]);
      const served = exchanges(agentBridges[kind]!.logs()).filter((l) => l.direction === 'in');
      expect(served.length).toBeGreaterThanOrEqual(2);
      expect(served.every((l) => l.from === `platform@${DOMAIN}`)).toBe(true);
      expect(served.filter((l) => l.streamed)).toEqual([
        expect.objectContaining({ path: '/a2a', status: 200 }),
      ]);
      expect(served.filter((l) => !answered(l))).toEqual([]);
    }
  });

  // The same demo with the planner pointed at an OpenAI-compatible server (scripted: no real LLM here):
  // the model calls the agents through the delegate__<agent> functions, and the calls still cross XMPP.
  describe('with the LLM planner', () => {
    let llm: LlmStub;

    beforeAll(async () => {
      llm = await startLlmStub();
      await stack.restart('orchestrator', {
        OPENAI_BASE_URL: llm.baseUrl,
        OPENAI_API_KEY: 'sk-e2e-0123456789',
        LLM_MODEL: 'stub-model',
      });
    }, 60_000);

    afterAll(async () => {
      await llm?.stop();
    });

    it('runs the demo delegation task through the model, across XMPP', async () => {
      const offered: string[][] = [];
      const script = llm.script(TASK, [
        (req) => {
          offered.push((req.body.tools ?? []).map((t) => t.function.name));
          return {
            toolCalls: [{ name: 'delegate__researcher', arguments: { message: 'NATS JetStream' } }],
            usage: { prompt: 300, completion: 20 },
          };
        },
        (req) => ({
          toolCalls: [
            {
              name: 'delegate__writer',
              arguments: {
                message: 'draft a summary',
                context: JSON.stringify(toolResults(req).at(-1)?.content),
              },
            },
          ],
          usage: { prompt: 500, completion: 30 },
        }),
        (req) => ({
          content: `Summary ready: ${JSON.stringify(toolResults(req).at(-1)?.content).slice(0, 120)}`,
          usage: { prompt: 700, completion: 40 },
        }),
      ]);
      const response = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': `llm-${randomUUID()}` },
        body: JSON.stringify({ task: TASK }),
      });
      expect(response.status).toBe(200);
      const events = (await collectSse(response)).map((e) =>
        Tasks.TaskEvent.parse(JSON.parse(e.data)),
      );
      expect(events[0]).toMatchObject({
        name: 'orchestrator.task.started',
        data: { planner: 'llm', model: 'stub-model' },
      });
      const final = events[events.length - 1]!;
      expect(final.name).toBe('orchestrator.task.completed');
      expect(script.remaining).toBe(0);
      expect(offered[0]).toEqual(
        expect.arrayContaining(['delegate__researcher', 'delegate__writer']),
      );

      const started = events.filter((e) => e.name === 'a2a.delegation.started').map((e) => e.data);
      expect(started).toEqual([
        expect.objectContaining({
          agent: 'researcher',
          message: 'NATS JetStream',
          transport: 'xmpp',
        }),
        expect.objectContaining({ agent: 'writer', message: 'draft a summary', transport: 'xmpp' }),
      ]);
      const results = events.filter((e) => e.name === 'a2a.delegation.result').map((e) => e.data);
      expect(results.map((d) => ('state' in d ? [d.agent, d.state, d.transport] : []))).toEqual([
        ['researcher', 'TASK_STATE_COMPLETED', 'xmpp'],
        ['writer', 'TASK_STATE_COMPLETED', 'xmpp'],
      ]);
      // The model saw the researcher's reply before it asked the writer, and the writer's before it answered.
      expect(JSON.stringify(script.requests[1]!.body.messages)).toContain('NATS JetStream');
      expect(final.name === 'orchestrator.task.completed' ? final.data.result : '').toMatch(
        /^Summary ready: /,
      );
    });
  });
});

interface Recorder {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request and answers with `answer`. */
async function startRecorder(
  answer: (req: IncomingMessage) => { status: number; body: string },
): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    const { status, body } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A valid A2A 1.0 card whose only interface is `url`. */
function cardPointingAt(url: string): Record<string, unknown> {
  return {
    name: 'Rogue',
    description: 'a card that names an interface on another host',
    version: '1.0.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: { streaming: false },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'research', name: 'Research', description: 'looks things up', tags: [] }],
  };
}

/** A NATS event's payload: the JSON, inside Nest's `{ pattern, data }` envelope when there is one. */
function payloadOf(data: Uint8Array): unknown {
  const json = JSON.parse(new TextDecoder().decode(data)) as unknown;
  return json && typeof json === 'object' && 'pattern' in json && 'data' in json
    ? (json as { data: unknown }).data
    : json;
}
