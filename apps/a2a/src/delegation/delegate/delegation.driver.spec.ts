import { describe, expect, it } from '@jest/globals';
import { type A2a, type Actor, DomainError } from '@switchboard/contracts';
import { createLogger, Metrics } from '@switchboard/observability';
import { TenantDirectory } from '@switchboard/config';
import { AgentAccess } from '../../agents/agent-access.js';
import type { AgentRegistry, ResolvedAgent } from '../../agents/agent-registry.service.js';
import { A2aEnv } from '../../config/a2a.env.js';
import { A2aMetrics } from '../a2a.metrics.js';
import { AgentResilience } from '../agent-resilience.js';
import type { DelegationReporter } from '../delegation.reporter.js';
import type { PushInbox, PushWaiter } from '../push-inbox.js';
import type { RemoteAgentPort, RemoteEvent, RemoteTaskSnapshot } from '../remote-agent.port.js';
import type { RunningDelegations } from '../running-delegations.js';
import { type DelegationRun } from '../delegation-run.js';
import { DelegationDriver } from './delegation.driver.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const user: Actor = { userId: 'u1', role: 'user' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

const snapshot = (state: string, extra: Partial<RemoteTaskSnapshot> = {}): RemoteTaskSnapshot => ({
  taskId: 'remote-1',
  contextId: 'c1',
  state,
  statusText: undefined,
  artifacts: [],
  ...extra,
});

const request = (extra: Partial<A2a.DelegateRequest> = {}): A2a.DelegateRequest => ({
  delegationId: '11111111-2222-4333-8444-555555555555',
  taskId: TASK,
  stepId: 's1',
  agent: 'researcher',
  message: 'NATS JetStream',
  ...extra,
});

/** A push inbox whose mailboxes are notified at once (or none, when push is off). */
function fakeInbox(enabled: boolean) {
  const opened: string[] = [];
  const closed: string[] = [];
  const inbox = {
    enabled,
    safetyPollMs: 60_000,
    open: async (run: DelegationRun): Promise<PushWaiter> => {
      opened.push(run.delegationId);
      return {
        target: { url: `https://sb.example/a2a/notifications/${run.delegationId}`, token: 'tok' },
        notifications: 1,
        next: async () => 'notified',
        close: () => closed.push(run.delegationId),
      };
    },
  } as unknown as PushInbox;
  return { inbox, opened, closed };
}

/** The driver with a scripted agent (streaming), and what it reported. */
function setup(
  port: Partial<RemoteAgentPort>,
  env: Record<string, string> = {},
  card: Record<string, unknown> = { streaming: true },
  push = fakeInbox(false),
) {
  const config = A2aEnv.parse({
    A2A_RETRY_MAX_ATTEMPTS: '3',
    A2A_RETRY_BASE_MS: '1',
    A2A_RETRY_MAX_MS: '2',
    A2A_AGENT_POLICY: 'user=researcher',
    ...env,
  });
  const agent = {
    agent: { name: 'researcher' },
    card,
    connection: { protocolVersion: '1.0' },
    transport: 'http',
  } as unknown as ResolvedAgent;
  // acme's tenant settings leave it without the researcher
  const access = new AgentAccess(
    config,
    new TenantDirectory({ tenants: { acme: { agents: [] } } }),
  );
  const registry = {
    refusal: (actor: Actor, name: string) => access.refusal(actor, name),
    require: (name: string) => {
      if (name !== 'researcher') throw new DomainError('NOT_FOUND', `no agent "${name}"`);
      return agent.agent;
    },
    resolve: async () => agent,
  } as unknown as AgentRegistry;
  const runs: DelegationRun[] = [];
  const running = {
    start: (r: DelegationRun) => runs.push(r),
    finish: (r: DelegationRun) => r.dispose(),
  } as unknown as RunningDelegations;
  const progress: A2a.DelegationUpdate[] = [];
  const records: { outcome: string; details: Record<string, unknown> }[] = [];
  const reporter = {
    progress: (u: A2a.DelegationUpdate) => progress.push(u),
    record: (_r: unknown, outcome: string, details: Record<string, unknown>) =>
      records.push({ outcome, details }),
    observe: () => undefined,
    flush: async () => undefined,
  } as unknown as DelegationReporter;
  const missing = () => {
    throw new Error('not scripted');
  };
  const fullPort = {
    fetchCard: missing,
    stream: missing,
    send: missing,
    getTask: missing,
    cancelTask: missing,
    ...port,
  } as RemoteAgentPort;
  const resilience = new AgentResilience(config, logger, new A2aMetrics(new Metrics('a2a', 't')));
  const sut = new DelegationDriver(
    config,
    fullPort,
    registry,
    resilience,
    running,
    reporter,
    push.inbox,
    logger,
  );
  return { sut, progress, records, runs, push };
}

async function* events(...list: RemoteEvent[]): AsyncIterable<RemoteEvent> {
  for (const e of list) yield e;
}

describe(DelegationDriver.name, () => {
  it('sends, follows the task the agent names, and answers with its final state', async () => {
    const { sut, progress, records } = setup({
      stream: () =>
        events(
          { kind: 'task', task: snapshot('TASK_STATE_WORKING') },
          {
            kind: 'status',
            taskId: 'remote-1',
            contextId: 'c1',
            state: 'TASK_STATE_COMPLETED',
            text: 'done',
          },
        ),
    });
    const result = await sut.delegate(request(), user);
    expect(result).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      remoteTaskId: 'remote-1',
      attempts: 1,
    });
    expect(progress.map((p) => p.kind)).toEqual(['started', 'status', 'status']);
    expect(records).toEqual([expect.objectContaining({ outcome: 'success' })]);
  });

  it('registers a push config instead of streaming when the card offers push and a callback is set', async () => {
    const sent: unknown[] = [];
    const gets: string[] = [];
    const push = fakeInbox(true);
    const { sut, progress } = setup(
      {
        stream: () => {
          throw new Error('no stream in push mode');
        },
        send: async (_c, _m, opts) => {
          sent.push(opts.push);
          return { kind: 'task', task: snapshot('TASK_STATE_WORKING') };
        },
        getTask: async (_c, id) => {
          gets.push(id);
          return snapshot('TASK_STATE_COMPLETED');
        },
      },
      {},
      { streaming: true, pushNotifications: true },
      push,
    );
    const result = await sut.delegate(request(), user);
    expect(result).toMatchObject({ mode: 'push', state: 'TASK_STATE_COMPLETED' });
    expect(sent).toEqual([
      {
        url: 'https://sb.example/a2a/notifications/11111111-2222-4333-8444-555555555555',
        token: 'tok',
      },
    ]);
    expect(gets).toEqual(['remote-1']);
    expect(progress[0]).toMatchObject({ kind: 'started', mode: 'push' });
    // The mailbox lives exactly as long as the delegation.
    expect(push.opened).toEqual(push.closed);
    expect(push.opened).toHaveLength(1);
  });

  it('streams as before when the card offers push but no callback is configured', async () => {
    const { sut } = setup(
      { stream: () => events({ kind: 'task', task: snapshot('TASK_STATE_COMPLETED') }) },
      {},
      { streaming: true, pushNotifications: true },
    );
    expect(await sut.delegate(request(), user)).toMatchObject({ mode: 'stream' });
  });

  it('denies a role the policy does not allow, before anything is sent, and audits it', async () => {
    const { sut, records, runs } = setup({});
    await expect(sut.delegate(request(), { userId: 'v', role: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(records).toEqual([{ outcome: 'denied', details: { reason: 'policy' } }]);
    expect(runs).toHaveLength(0);
  });

  it("denies an agent its tenant's settings do not enable, admins too, naming the tenant", async () => {
    const { sut, records, runs } = setup({});
    await expect(
      sut.delegate(request(), { userId: 'root', role: 'admin', tenantId: 'acme' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'agent "researcher" is not enabled for tenant acme',
    });
    expect(records).toEqual([{ outcome: 'denied', details: { reason: 'tenant' } }]);
    expect(runs).toHaveLength(0);
  });

  it('fails an unknown agent with NOT_FOUND', async () => {
    const { sut } = setup({});
    await expect(sut.delegate(request({ agent: 'nobody' }), user)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('retries a transient failure before the agent named a task by sending again', async () => {
    let calls = 0;
    const { sut, progress } = setup({
      stream: () => {
        calls++;
        if (calls === 1)
          throw new DomainError('UPSTREAM_UNAVAILABLE', 'researcher answered HTTP 503', {
            retryable: true,
            details: { status: 503, transport: 'http' },
          });
        return events({ kind: 'task', task: snapshot('TASK_STATE_COMPLETED') });
      },
    });
    const result = await sut.delegate(request(), user);
    expect(result).toMatchObject({ state: 'TASK_STATE_COMPLETED', attempts: 2 });
    expect(calls).toBe(2);
    expect(progress.map((p) => p.kind)).toEqual(['started', 'retry', 'status']);
  });

  it('follows the task a lost replica started instead of sending the message again', async () => {
    const asked: string[] = [];
    const { sut } = setup(
      {
        stream: () => {
          throw new Error('must not send again');
        },
        getTask: async (_c, taskId) => {
          asked.push(taskId);
          return snapshot('TASK_STATE_COMPLETED', { taskId });
        },
      },
      { A2A_STREAMING: 'never' },
    );
    const result = await sut.delegate(request({ remoteTaskId: 'remote-9' }), user);
    expect(result).toMatchObject({ state: 'TASK_STATE_COMPLETED', remoteTaskId: 'remote-9' });
    expect(asked[0]).toBe('remote-9');
  });

  it('forwards a cancel as CancelTask once the agent’s task is known, and fails CANCELLED', async () => {
    const cancelled: string[] = [];
    let release: (() => void) | undefined;
    const { sut, runs, records } = setup({
      stream: (_c, _m, signal) =>
        (async function* () {
          yield { kind: 'task', task: snapshot('TASK_STATE_WORKING') } as RemoteEvent;
          await new Promise<void>((resolve) => {
            release = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
          signal.throwIfAborted();
        })(),
      cancelTask: async (_c, taskId) => {
        cancelled.push(taskId);
        return snapshot('TASK_STATE_CANCELED');
      },
    });
    const done = sut.delegate(request(), user);
    while (!release) await new Promise((r) => setImmediate(r));
    runs[0]?.cancel(new DomainError('CANCELLED', 'delegation cancelled: the user stopped it'));
    await expect(done).rejects.toMatchObject({
      code: 'CANCELLED',
      details: { agent: 'researcher', remoteTaskId: 'remote-1' },
    });
    expect(cancelled).toEqual(['remote-1']);
    expect(records.at(-1)).toMatchObject({ outcome: 'failure', details: { code: 'CANCELLED' } });
  });
});
