import { Tasks, Xmpp } from '@switchboard/contracts';
import {
  createBusClient,
  type PrivateProsody,
  readSse,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startPrivateProsody,
  startService,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ciOrFull } from './support/full-run.js';

const DOMAIN = 'agents.switchboard.local';
const AGENT_HOST = `slow.${DOMAIN}`;
/** Wide behavioural bound: the delegation may take 240 s and the task 300 s (the shipped defaults). */
const WITHIN_SECONDS = 60_000;

// The periods the faults are waited out for, set in the services' configuration: shorter in CI than
// the shipped defaults so the same code paths run in seconds; the defaults with SB_TEST_FULL=1.
/**
 * The orchestrator's TASK_OUTAGE_WAIT_MS (default 30 s): how long it asks again for the delegation of
 * an a2a service that went silent. 6 s still spans several of its request backoff's capped (2 s)
 * retry periods.
 */
const OUTAGE_WAIT_MS = ciOrFull(6_000, 30_000);
/**
 * a2a's A2A_BRIDGE_WAIT_MS (default 30 s): how long a delegation waits for the platform's own XMPP
 * bridge once it stopped beating, trying again with capped (5 s) backoff.
 */
const BRIDGE_WAIT_MS = ciOrFull(6_000, 30_000);
/**
 * The platform bridge's XMPP_BRIDGE_PRESENCE_WAIT_MS (default 3 s): how long each request to a peer
 * waits for its presence before failing as offline. After the agent's bridge died, a2a's polls of
 * the delegation each wait this long for it (four of them); the peer is online (agentOnline) before
 * every task, so 1 s is ample for the requests that succeed.
 */
const PRESENCE_WAIT_MS = ciOrFull(1_000, 3_000);

// Every task ends truthfully when one process of a delegation dies, on real processes: kill -9 of
// the agent's bridge, of the platform's bridge, of the agent and of the a2a service while the task waits on a slow
// agent behind XMPP (its task takes minutes). The task must end within seconds — not at the
// delegation's timeout — failed with a retryable UPSTREAM_UNAVAILABLE that says what went (for the
// a2a service: once it stayed away for the task's outage wait; back in time, the task goes on).
describe('delegations whose bridge or a2a service dies mid-flight (real processes, Prosody, a slow agent)', () => {
  let prosody: PrivateProsody;
  let stack: Stack;
  let agent: ServiceHandle;
  let agentBridge: ServiceHandle;
  const logDir = tempDir('delegation-faults');
  const socket = join(tempDir('delegation-faults-socket'), 'slow.sock');
  const accounts = { platform: `pw-${randomUUID()}`, slow: `pw-${randomUUID()}` };
  const xmpp = (user: keyof typeof accounts) => ({
    AZTM_JID: `${user}@${DOMAIN}`,
    AZTM_PASSWORD: accounts[user],
    AZTM_HOST: '127.0.0.1',
    AZTM_PORT: String(prosody.c2sPort),
    AZTM_TLS: 'starttls',
    XMPP_BRIDGE_CA_FILE: prosody.caFile,
  });
  const startAgentBridge = () =>
    startService(
      'bridge-slow',
      {
        ...xmpp('slow'),
        XMPP_BRIDGE_NATS_COMMANDS: 'false',
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
        XMPP_BRIDGE_RESOURCE: 'slow-1',
        XMPP_BRIDGE_HTTP_TARGET: `http://${AGENT_HOST}`,
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: socket,
      },
      { entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'), logDir },
    );

  // A task of the slow agent takes minutes: it is still working when the fault strikes.
  const startAgent = () =>
    startService(
      'agent-slow',
      {
        NODE_OPTIONS: '--import tsx',
        AGENT_KIND: 'researcher',
        PUBLIC_URL: `http://${AGENT_HOST}`,
        AGENT_SOCKET: socket,
        AGENT_STEP_DELAY_MS: '60000',
      },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir },
    );

  beforeAll(async () => {
    prosody = await startPrivateProsody({
      accounts: Object.entries(accounts).map(([user, password]) => ({
        user,
        host: DOMAIN,
        password,
      })),
    });
    agent = await startAgent();
    agentBridge = await startAgentBridge();
    const serviceMap = `${AGENT_HOST}=slow@${DOMAIN}`;
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      env: {
        'xmpp-bridge': {
          ...xmpp('platform'),
          SERVICE_MAP: serviceMap,
          AZTM_SERVER_MODE: 'false',
          XMPP_BRIDGE_PRESENCE_WAIT_MS: String(PRESENCE_WAIT_MS.value),
        },
        a2a: {
          SERVICE_MAP: serviceMap,
          A2A_AGENTS: `slow=http://${AGENT_HOST}`,
          A2A_BRIDGE_WAIT_MS: String(BRIDGE_WAIT_MS.value),
        },
        orchestrator: { TASK_OUTAGE_WAIT_MS: String(OUTAGE_WAIT_MS.value) },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([agentBridge?.stop(), agent?.stop()]);
    await prosody?.stop();
  });

  /** The platform's bridge sees the agent's bridge online. */
  const agentOnline = async () => {
    // the bridge's status is the gateway's (and admin's) to ask
    const bus = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
    try {
      await waitFor(
        async () =>
          (await bus.bus.request(Xmpp.Status, {})).peers.find((p) => p.host === AGENT_HOST)?.online,
        { timeoutMs: 30_000, what: "the agent's bridge online for the platform's bridge" },
      );
    } finally {
      await bus.close();
    }
  };

  /**
   * Runs a task that delegates to the slow agent; once the agent reports WORKING, `fault()` kills a
   * process. Resolves with the task's events, and how long after the kill its last event came.
   */
  const runAndKill = async (fault: () => Promise<void>) => {
    const headers = { 'x-user-id': `u-${randomUUID()}` };
    const response = await fetch(`${stack.gatewayUrl}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ task: 'ask the slow about NATS JetStream' }),
    });
    expect(response.status).toBe(200);
    const events: Tasks.TaskEvent[] = [];
    let killedAt: number | undefined;
    for await (const sse of readSse(response)) {
      const event = Tasks.TaskEvent.parse(JSON.parse(sse.data));
      events.push(event);
      if (
        killedAt === undefined &&
        event.name === 'a2a.delegation.status' &&
        event.data.state === 'TASK_STATE_WORKING'
      ) {
        killedAt = performance.now();
        await fault();
      }
    }
    expect(killedAt).toBeDefined();
    // The task as stored: its end, and what it says.
    const taskId = events[0]?.taskId;
    const view = await waitFor(
      async () => {
        const r = await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers });
        const body = (await r.json()) as Tasks.TaskView;
        return Tasks.TERMINAL_TASK_STATUSES.includes(body.status) ? body : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 200, what: 'the task to end' },
    );
    const endedMs = performance.now() - (killedAt ?? 0);
    const result = events.find((e) => e.name === 'a2a.delegation.result');
    const step = view.steps.find((st) => st.stepId === 's1');
    return { view, events, error: view.error, stepError: step?.error, result, endedMs };
  };

  /** The task failed, in time, with a retryable UPSTREAM_UNAVAILABLE naming what went. */
  const expectTruthfulEnd = (
    outcome: Awaited<ReturnType<typeof runAndKill>>,
    says: RegExp,
  ): void => {
    console.log('FIGURE', Math.round(outcome.endedMs), outcome.error?.message);
    expect(outcome.endedMs).toBeLessThan(WITHIN_SECONDS);
    expect(outcome.view.status).toBe('failed');
    // The user's stream ends with the same news.
    expect(outcome.events.at(-1)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'UPSTREAM_UNAVAILABLE' } },
    });
    expect(outcome.error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringMatching(says),
    });
    // The failed step keeps the cause's retryability: the outage is temporary.
    expect(outcome.stepError).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  };

  it(`ends the task within seconds when the agent's bridge dies (the agent went offline; each request waits for its presence ${PRESENCE_WAIT_MS.says})`, async () => {
    let outcome: Awaited<ReturnType<typeof runAndKill>>;
    try {
      outcome = await runAndKill(() => agentBridge.kill());
    } finally {
      agentBridge = await startAgentBridge();
      await agentOnline();
    }
    expectTruthfulEnd(outcome, new RegExp(`slow@${DOMAIN}`));
    // The delegation's own result event says the same, over XMPP.
    expect(outcome.result?.data).toMatchObject({
      agent: 'slow',
      state: 'UPSTREAM_UNAVAILABLE',
      transport: 'xmpp',
    });
  });

  it(`ends the task within seconds when the platform's bridge dies (no more heartbeats; a2a waits for it ${BRIDGE_WAIT_MS.says})`, async () => {
    let outcome: Awaited<ReturnType<typeof runAndKill>>;
    try {
      outcome = await runAndKill(() => stack.services['xmpp-bridge']!.kill());
    } finally {
      await stack.restart('xmpp-bridge');
      await agentOnline();
    }
    expectTruthfulEnd(outcome, /xmpp-bridge|XMPP bridge/);
    // a2a waited the bridge out (A2A_BRIDGE_WAIT_MS) before it gave up: not failed at once.
    expect(outcome.endedMs).toBeGreaterThanOrEqual(BRIDGE_WAIT_MS.value);
  });

  it('ends the task within seconds when the agent itself dies (its bridge says the response broke off)', async () => {
    let outcome: Awaited<ReturnType<typeof runAndKill>>;
    try {
      outcome = await runAndKill(() => agent.kill());
    } finally {
      agent = await startAgent();
    }
    expectTruthfulEnd(outcome, /slow/);
  });

  it(`ends the task once the a2a service it waited for stays away (its heartbeats stopped, nobody answers; the outage wait: ${OUTAGE_WAIT_MS.says})`, async () => {
    // The orchestrator asks again for the delegation for TASK_OUTAGE_WAIT_MS, then gives up.
    const outcome = await runAndKill(() => stack.services['a2a']!.kill());
    expectTruthfulEnd(outcome, /a2a (is not available|stopped answering)/);
    // It waited the outage out (TASK_OUTAGE_WAIT_MS) before it gave up: not failed at once.
    expect(outcome.endedMs).toBeGreaterThanOrEqual(OUTAGE_WAIT_MS.value);
  });
});
