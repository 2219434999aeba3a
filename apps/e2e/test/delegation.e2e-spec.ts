import { type A2a, Tasks } from '@switchboard/contracts';
import {
  collectSse,
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
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const DOMAIN = 'agents.switchboard.local';
const TASK = 'ask the researcher about NATS JetStream, then have the writer draft a summary';

// Acceptance scenario 2 on real processes: gateway → orchestrator → a2a → xmpp-bridge → Prosody → the
// agent's own bridge (server mode) → the agent's loopback HTTP endpoint, and back. The agents are only
// reachable through their bridges: their cards advertise hosts that resolve nowhere but SERVICE_MAP.
describe('delegation to remote agents across XMPP (real processes, Prosody and sample A2A agents)', () => {
  let prosody: PrivateProsody;
  let stack: Stack;
  const agents: Record<string, ServiceHandle> = {};
  const agentBridges: Record<string, ServiceHandle> = {};
  const logDir = tempDir('delegation');
  const password = (name: string) => `pw-${name}-${randomUUID()}`;
  const accounts = {
    platform: password('platform'),
    researcher: password('researcher'),
    writer: password('writer'),
  };
  const hostOf = (name: string) => `${name}.${DOMAIN}`;
  const serviceMap = `${hostOf('researcher')}=researcher@${DOMAIN},${hostOf('writer')}=writer@${DOMAIN}`;

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
    for (const kind of ['researcher', 'writer'] as const) {
      agents[kind] = await startService(
        `agent-${kind}`,
        { NODE_OPTIONS: '--import tsx', AGENT_KIND: kind, PUBLIC_URL: `http://${hostOf(kind)}` },
        { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir },
      );
      // The agent's own bridge: server mode only, no NATS, serving the platform's JID alone.
      agentBridges[kind] = await startService(
        `bridge-${kind}`,
        {
          ...xmpp(kind),
          XMPP_BRIDGE_NATS_COMMANDS: 'false',
          XMPP_BRIDGE_HTTP_TARGET: agents[kind].url,
          XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
        },
        { entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'), logDir },
      );
    }
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      env: {
        'xmpp-bridge': { ...xmpp('platform'), SERVICE_MAP: serviceMap, AZTM_SERVER_MODE: 'false' },
        a2a: {
          SERVICE_MAP: serviceMap,
          A2A_AGENTS: `researcher=http://${hostOf('researcher')},writer=http://${hostOf('writer')}`,
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled(
      [...Object.values(agentBridges), ...Object.values(agents)].map((p) => p.stop()),
    );
    await prosody?.stop();
  });

  it('lists the agents as reached over XMPP, from cards fetched through the bridge', async () => {
    const r = await fetch(`${stack.gatewayUrl}/agents`, { headers: { 'x-user-id': 'alice' } });
    expect(r.status).toBe(200);
    const { agents: listed } = (await r.json()) as { agents: A2a.AgentSummary[] };
    expect(listed.map((a) => [a.name, a.transport, a.available, a.protocolVersion])).toEqual([
      ['researcher', 'xmpp', true, '1.0'],
      ['writer', 'xmpp', true, '1.0'],
    ]);
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
    const states = (agent: string) =>
      delegation
        .filter((e) => e.name === 'a2a.delegation.status' && e.data.agent === agent)
        .map((e) => (e.name === 'a2a.delegation.status' ? e.data.state : ''));
    // Over the bridge the remote task is polled: the first status is the one SendMessage returned, the
    // last the final one (intermediate WORKING steps show when a poll lands on them).
    for (const agent of ['researcher', 'writer']) {
      const seen = states(agent);
      expect(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING']).toContain(seen[0]);
      expect(seen[seen.length - 1]).toBe('TASK_STATE_COMPLETED');
    }
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
      expect(stats.methods['SendMessage']).toBe(1);
      expect(stats.methods['GetTask']).toBeGreaterThanOrEqual(1);
      const rpc = agents[kind]!.logs()
        .split('\n')
        .filter((l) => l.includes('"rpc"'))
        .map((l) => JSON.parse(l) as { rpc: string; via?: string });
      expect(rpc.length).toBeGreaterThanOrEqual(2);
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
            },
        );
    const out = exchanges(stack.services['xmpp-bridge']!.logs()).filter(
      (l) => l.direction === 'out',
    );
    for (const kind of ['researcher', 'writer']) {
      const toAgent = out.filter((l) => l.to === `${kind}@${DOMAIN}`);
      expect(toAgent.length).toBeGreaterThanOrEqual(2);
      expect(
        toAgent.every((l) => l.outcome === 'ok' && l.status !== undefined && l.status < 400),
      ).toBe(true);
      const served = exchanges(agentBridges[kind]!.logs()).filter((l) => l.direction === 'in');
      expect(served.length).toBeGreaterThanOrEqual(2);
      expect(served.every((l) => l.from === `platform@${DOMAIN}`)).toBe(true);
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
