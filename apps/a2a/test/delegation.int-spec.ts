import {
  A2a,
  ALL_STREAMS,
  type Actor,
  Audit,
  AuditStream,
  DelegationStateStream,
  type DomainError,
  Tasks,
} from '@switchboard/contracts';
import { decodeJson, unwrapEnvelope } from '@switchboard/messaging';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from '@switchboard/runtime';
import {
  type BusClient,
  createBusClient,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  TEST_REDIS_URL,
  tempDir,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { agentStats, startSampleAgent } from './sample-agents.js';

// The real a2a process on a private NATS, delegating over plain HTTP to real sample A2A agents
// (the XMPP path is covered end to end in apps/e2e).
describe('a2a (real process, NATS and sample A2A agents)', () => {
  let nats: PrivateNats;
  let client: BusClient;
  let a2a: ServiceHandle;
  const agents: Record<string, ServiceHandle> = {};
  const logDir = tempDir('a2a-int');
  const user: Actor = { userId: `u-${randomUUID()}`, role: 'user' };
  const guest: Actor = { userId: 'guest-1', role: 'guest' };
  const admin: Actor = { userId: 'root', role: 'admin' };
  /** The quota counters (the gateway's adapter on the service's own Redis prefix). */
  const redisPrefix = testRedisPrefix('a2a-int');
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: redisPrefix, lazyConnect: true });
  const quotas = new TenantQuotas(redis, { keyPrefix: TENANT_QUOTA_KEY_PREFIX });

  beforeAll(async () => {
    nats = await startPrivateNats();
    client = await createBusClient(nats.url, 'orchestrator');
    await client.jetstream.ensureStreams(ALL_STREAMS);
    const specs: Record<string, Record<string, string>> = {
      researcher: { AGENT_KIND: 'researcher' },
      writer: { AGENT_KIND: 'writer', AGENT_STREAMING: 'false' },
      flaky: { AGENT_KIND: 'researcher', AGENT_FAULT: 'flaky', AGENT_FAULT_COUNT: '2' },
      down: { AGENT_KIND: 'researcher', AGENT_FAULT: 'down' },
      legacy: { AGENT_KIND: 'researcher', AGENT_PROTOCOL: '0.3' },
      slow: { AGENT_KIND: 'researcher', AGENT_STEP_DELAY_MS: '20000' },
      steady: { AGENT_KIND: 'researcher', AGENT_STEP_DELAY_MS: '500' },
    };
    await Promise.all(
      Object.entries(specs).map(
        async ([name, env]) => (agents[name] = await startSampleAgent(name, env, logDir)),
      ),
    );
    a2a = await startService(
      'a2a',
      {
        NATS_SERVERS: nats.url,
        REDIS_KEY_PREFIX: redisPrefix,
        A2A_AGENTS: Object.entries(agents)
          .map(([name, a]) => `${name}=${a.url}`)
          .join(','),
        A2A_AGENT_POLICY: 'user=*;guest=researcher',
        A2A_RETRY_MAX_ATTEMPTS: '4',
        A2A_RETRY_BASE_MS: '20',
        A2A_RETRY_MAX_MS: '100',
        A2A_BREAKER_THRESHOLD: '4',
        A2A_BREAKER_HALF_OPEN_MS: '600000',
        A2A_POLL_INTERVAL_MS: '30',
      },
      { logDir },
    );
  }, 90_000);

  afterAll(async () => {
    await a2a?.stop();
    await Promise.allSettled(Object.values(agents).map((a) => a.stop()));
    await client?.close();
    await nats?.stop();
    await redis.quit().catch(() => redis.disconnect());
    await deleteRedisKeys(redisPrefix);
  });

  /** Delegates and records the progress updates published for it, in order. */
  async function delegate(agent: string, actor: Actor, extra: Partial<A2a.DelegateRequest> = {}) {
    const delegationId = extra.delegationId ?? randomUUID();
    const updates: A2a.DelegationUpdate[] = [];
    const sub = client.bus.connection.subscribe(A2a.DelegationProgress.subject(delegationId), {
      callback: (err, msg) => {
        if (err) return;
        updates.push(A2a.DelegationUpdate.parse(unwrapEnvelope(decodeJson(msg.data))));
      },
    });
    await client.bus.connection.flush();
    const request = {
      delegationId,
      taskId: randomUUID(),
      stepId: 's1',
      agent,
      message: 'NATS JetStream',
      ...extra,
    };
    const done = client.bus
      .request(A2a.Delegate, request, { actor, timeoutMs: 60_000 })
      .finally(() => sub.unsubscribe());
    return { delegationId, request, updates, done };
  }

  const failure = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('expected a failure');
  };

  it('lists the agents a role may use, from their cards', async () => {
    const mine = await client.bus.request(A2a.AgentsList, {}, { actor: user });
    expect(mine.agents.map((a) => a.name).sort()).toEqual([
      'down',
      'flaky',
      'legacy',
      'researcher',
      'slow',
      'steady',
      'writer',
    ]);
    const researcher = mine.agents.find((a) => a.name === 'researcher')!;
    expect(researcher).toMatchObject({
      transport: 'http',
      protocolVersion: '1.0',
      available: true,
      circuit: 'closed',
    });
    expect(researcher.skills).toEqual([expect.objectContaining({ id: 'research' })]);
    expect(researcher.card).toMatchObject({ name: 'Researcher' });
    expect(mine.agents.find((a) => a.name === 'legacy')).toMatchObject({
      protocolVersion: '0.3',
      available: true,
    });

    const theirs = await client.bus.request(A2a.AgentsList, {}, { actor: guest });
    expect(theirs.agents.map((a) => a.name)).toEqual(['researcher']);
    expect((await failure(client.bus.request(A2a.AgentsList, {}))).code).toBe('UNAUTHORIZED');
  });

  it('delegates with SendStreamingMessage and reports the remote status as it changes', async () => {
    const d = await delegate('researcher', user);
    const result = await d.done;
    expect(result).toMatchObject({
      agent: 'researcher',
      transport: 'http',
      protocolVersion: '1.0',
      mode: 'stream',
      state: 'TASK_STATE_COMPLETED',
      attempts: 1,
    });
    expect(result.text).toContain('JetStream is the persistence layer');
    expect(result.artifacts[0]).toMatchObject({ name: 'findings' });
    expect(d.updates[0]).toMatchObject({
      kind: 'started',
      agent: 'researcher',
      transport: 'http',
      mode: 'stream',
    });
    const states = d.updates
      .filter((u) => u.kind === 'status')
      .map((u) => (u.kind === 'status' ? u.state : ''));
    expect(states).toEqual(expect.arrayContaining(['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED']));
    expect(states[states.length - 1]).toBe('TASK_STATE_COMPLETED');
    expect((await agentStats(agents['researcher']!)).methods).toMatchObject({
      SendStreamingMessage: 1,
    });
  });

  it('uses SendMessage and GetTask for an agent without streaming, passing the context along', async () => {
    const d = await delegate('writer', user, {
      message: 'draft a summary',
      context: '## NATS JetStream\n\n- Streams keep messages.\n- Consumers ack them.',
    });
    const result = await d.done;
    expect(result).toMatchObject({ mode: 'poll', state: 'TASK_STATE_COMPLETED' });
    expect(result.text).toContain('# Summary: NATS JetStream');
    expect(result.text).toContain('Consumers ack them.');
    const methods = (await agentStats(agents['writer']!)).methods;
    expect(methods['SendMessage']).toBe(1);
    expect(methods['GetTask']).toBeGreaterThanOrEqual(1);
  });

  it('attaches a keyed repeat to the delegation it repeats: the agent is asked once, both get its answer', async () => {
    const before = (await agentStats(agents['steady']!)).executed;
    const key = { delegationId: randomUUID(), taskId: randomUUID(), idempotencyKey: 'repeat:s1' };
    const first = await delegate('steady', user, key);
    await waitFor(() => first.updates.some((u) => u.kind === 'status'), { what: 'a status' });
    // The orchestrator asking again (its reply lost, or the task resumed elsewhere) while it runs.
    const again = await delegate('steady', user, key);
    const [one, two] = await Promise.all([first.done, again.done]);
    expect(one).toMatchObject({ state: 'TASK_STATE_COMPLETED' });
    expect(two).toEqual(one);
    // Progress went on on the delegation's subject: the repeat's listener heard the rest of it.
    expect(again.updates.some((u) => u.kind === 'status')).toBe(true);
    // Finished: a repeat gets the outcome at once.
    expect(await (await delegate('steady', user, key)).done).toEqual(one);
    expect((await agentStats(agents['steady']!)).executed).toBe(before + 1);
    // The key is the user's, for that task and delegation: anyone else's request is refused.
    const other = await delegate('steady', { userId: 'mallory', role: 'user' }, key);
    expect(await failure(other.done)).toMatchObject({ code: 'CONFLICT' });
  });

  it('follows the agent task a lost delegation started instead of asking the agent again', async () => {
    const original = await (await delegate('writer', user, { message: 'draft a note' })).done;
    const stats = (await agentStats(agents['writer']!)).methods;
    // Another replica's delegation (or one whose a2a process died), repeated with its remote task.
    const followed = await delegate('writer', user, {
      message: 'draft a note',
      idempotencyKey: 'lost:s1',
      remoteTaskId: original.remoteTaskId!,
    });
    expect(await followed.done).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      remoteTaskId: original.remoteTaskId,
      text: original.text,
    });
    const after = (await agentStats(agents['writer']!)).methods;
    expect(after['SendMessage']).toBe(stats['SendMessage']);
    expect(after['GetTask']).toBeGreaterThan(stats['GetTask'] ?? 0);
  });

  describe('a repeat of a delegation another a2a replica ran (its record on SB_DELEGATIONS)', () => {
    const record = (
      key: { delegationId: string; taskId: string },
      state: Partial<A2a.DelegationRecord>,
    ): Promise<unknown> =>
      client.jetstream.publish(
        A2a.DelegationState,
        [key.delegationId],
        {
          ...key,
          userId: user.userId,
          agent: 'writer',
          owner: 'another-replica',
          state: 'running',
          at: new Date().toISOString(),
          ...state,
        },
        { msgId: randomUUID() },
      );
    const repeatOf = (key: { delegationId: string; taskId: string }) =>
      delegate('writer', user, {
        ...key,
        message: 'draft a note',
        idempotencyKey: `${key.taskId}:s1`,
        repeat: true,
      });

    it('answers with the recorded outcome, without asking the agent', async () => {
      const original = await (await delegate('writer', user, { message: 'draft a note' })).done;
      const before = (await agentStats(agents['writer']!)).methods;
      const key = { delegationId: randomUUID(), taskId: randomUUID() };
      await record(key, {
        state: 'finished',
        result: { ...original, delegationId: key.delegationId },
      });
      expect(await (await repeatOf(key)).done).toEqual({
        ...original,
        delegationId: key.delegationId,
      });
      expect((await agentStats(agents['writer']!)).methods).toEqual(before);
    });

    it('does not ask the agent while a replica that is alive runs it, and takes the outcome it records', async () => {
      const original = await (await delegate('writer', user, { message: 'draft a note' })).done;
      const before = (await agentStats(agents['writer']!)).methods;
      const key = { delegationId: randomUUID(), taskId: randomUUID() };
      await record(key, { state: 'running' });
      const repeat = await repeatOf(key);
      await record(key, {
        state: 'finished',
        result: { ...original, delegationId: key.delegationId },
      });
      expect(await repeat.done).toEqual({ ...original, delegationId: key.delegationId });
      expect((await agentStats(agents['writer']!)).methods).toEqual(before);
    });

    it('takes over from a replica that is gone, following the agent task it recorded', async () => {
      const original = await (await delegate('writer', user, { message: 'draft a note' })).done;
      const before = (await agentStats(agents['writer']!)).methods;
      const key = { delegationId: randomUUID(), taskId: randomUUID() };
      await record(key, {
        state: 'running',
        remoteTaskId: original.remoteTaskId!,
        at: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(await (await repeatOf(key)).done).toMatchObject({
        state: 'TASK_STATE_COMPLETED',
        remoteTaskId: original.remoteTaskId,
      });
      const after = (await agentStats(agents['writer']!)).methods;
      expect(after['SendMessage']).toBe(before['SendMessage']);
    });
  });

  it('retries a flaky agent (two 503s) with backoff and succeeds on the third attempt', async () => {
    const d = await delegate('flaky', user);
    const result = await d.done;
    expect(result).toMatchObject({ state: 'TASK_STATE_COMPLETED', attempts: 3 });
    const retries = d.updates.filter((u) => u.kind === 'retry');
    expect(retries).toEqual([
      expect.objectContaining({ attempt: 1, reason: expect.stringContaining('503') }),
      expect.objectContaining({ attempt: 2, reason: expect.stringContaining('503') }),
    ]);
    expect(await agentStats(agents['flaky']!)).toMatchObject({ faultsInjected: 2, executed: 1 });
  });

  it('opens the circuit of a permanently failing agent, then refuses without calling it', async () => {
    const first = await failure((await delegate('down', user)).done);
    expect(first.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(first.message).toContain('503');
    expect((await agentStats(agents['down']!)).faultsInjected).toBe(4);

    const second = await failure((await delegate('down', user)).done);
    expect(second.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(second.message).toMatch(/circuit breaker is open/);
    expect((await agentStats(agents['down']!)).faultsInjected).toBe(4);

    const listed = await client.bus.request(A2a.AgentsList, {}, { actor: user });
    expect(listed.agents.find((a) => a.name === 'down')).toMatchObject({
      available: false,
      circuit: 'open',
    });
    const metrics = await (await fetch(`${a2a.url}/metrics`)).text();
    expect(metrics).toMatch(/sb_a2a_circuit_open\{[^}]*agent="down"[^}]*\} 1/);
    expect(metrics).toMatch(
      /sb_a2a_delegations_total\{[^}]*agent="down"[^}]*outcome="UPSTREAM_UNAVAILABLE"[^}]*\} 2/,
    );
    expect(metrics).toMatch(/sb_a2a_retries_total\{[^}]*agent="down"[^}]*\} 3/);
  });

  it('reaches an agent that speaks only A2A 0.3', async () => {
    const result = await (await delegate('legacy', user)).done;
    expect(result).toMatchObject({ protocolVersion: '0.3', state: 'TASK_STATE_COMPLETED' });
    expect(result.text).toContain('JetStream');
    const methods = (await agentStats(agents['legacy']!)).methods;
    expect(Object.keys(methods)).toEqual(['message/stream']);
  });

  it('enforces the per-role policy server-side and names bad input', async () => {
    const refused = await failure((await delegate('writer', guest)).done);
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain('guest');
    expect((await (await delegate('researcher', guest)).done).state).toBe('TASK_STATE_COMPLETED');
    expect((await (await delegate('writer', admin, { message: 'draft a note' })).done).state).toBe(
      'TASK_STATE_COMPLETED',
    );

    const unknown = await failure((await delegate('plumber', user)).done);
    expect(unknown.code).toBe('NOT_FOUND');
    const bad = await failure(
      client.bus.request(
        A2a.Delegate,
        {
          delegationId: 'x',
          taskId: randomUUID(),
          stepId: 's1',
          agent: 'Bad Name',
          message: '',
        } as never,
        { actor: user },
      ),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.message).toMatch(/delegationId/);
    expect(bad.message).toMatch(/agent/);
  });

  it('forwards a cancellation to the agent as CancelTask (per delegation and per task)', async () => {
    const d = await delegate('slow', user);
    const working = await waitFor(
      () => d.updates.find((u) => u.kind === 'status' && u.state === 'TASK_STATE_WORKING'),
      { what: 'WORKING' },
    );
    const remoteTaskId = working.kind === 'status' ? working.remoteTaskId : undefined;
    expect(remoteTaskId).toBeDefined();
    client.bus.publish(A2a.DelegationCancel, [d.delegationId], {
      delegationId: d.delegationId,
      reason: 'user changed their mind',
    });
    const cancelled = await failure(d.done);
    expect(cancelled.code).toBe('CANCELLED');
    expect(d.updates[d.updates.length - 1]).toMatchObject({
      kind: 'status',
      state: 'TASK_STATE_CANCELED',
      remoteTaskId,
    });
    expect((await agentStats(agents['slow']!)).methods['CancelTask']).toBe(1);
    await waitFor(
      async () => (await agentStats(agents['slow']!)).cancelled.includes(remoteTaskId!),
      { what: 'the agent to cancel its task' },
    );

    const byTask = await delegate('slow', user);
    await waitFor(
      () => byTask.updates.some((u) => u.kind === 'status' && u.state === 'TASK_STATE_WORKING'),
      { what: 'WORKING' },
    );
    client.bus.publish(Tasks.TaskCancelRequested, [byTask.request.taskId], {
      taskId: byTask.request.taskId,
      reason: 'task cancelled',
    });
    expect((await failure(byTask.done)).code).toBe('CANCELLED');
    expect((await agentStats(agents['slow']!)).methods['CancelTask']).toBe(2);
  });

  it('takes one of delegationsPerDay per new delegation, none for a repeat; over it RATE_LIMITED naming the quota, the agent not asked', async () => {
    await redis.connect().catch(() => undefined);
    const tenantId = `dq-${randomUUID().slice(0, 6)}`;
    const ada: Actor = { userId: 'ada', role: 'user', tenantId };
    await quotas.setQuota(tenantId, { delegationsPerDay: 3 });
    const key = { delegationId: randomUUID(), taskId: randomUUID() };
    const keyed = { ...key, idempotencyKey: `${key.taskId}:s1` };
    await (
      await delegate('writer', ada, { ...keyed, message: 'draft' })
    ).done;
    // The same delegation asked again (a lost reply): answered from the ledger, not counted.
    await (
      await delegate('writer', ada, { ...keyed, message: 'draft', repeat: true })
    ).done;
    const before = (await agentStats(agents['writer']!)).methods['SendMessage'] ?? 0;
    const burst = await Promise.allSettled(
      Array.from({ length: 6 }, async () => (await delegate('writer', ada, { message: 'x' })).done),
    );
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const refused = burst.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as DomainError] : [],
    );
    expect(refused).toHaveLength(4);
    for (const e of refused)
      expect(e).toMatchObject({
        code: 'RATE_LIMITED',
        details: { quota: 'delegationsPerDay', tenantId, limit: 3, used: 3 },
      });
    expect((await agentStats(agents['writer']!)).methods['SendMessage']).toBe(before + 2);
    expect((await quotas.usage(tenantId)).usage.delegations).toBe(3);
  });

  describe("tenants: a delegation is its tenant's", () => {
    const acmeUser: Actor = { ...user, tenantId: 'acme' };
    const globexAdmin: Actor = { userId: 'gus', role: 'admin', tenantId: 'globex' };

    /** The audit records refusing another tenant's delegation, once `count` are stored. */
    const otherTenantRecords = (count: number) =>
      waitFor(async () => {
        const { messages } = await client.jetstream.replay(
          AuditStream,
          Audit.AuditRecorded.pattern,
          {
            follow: false,
          },
        );
        const out: Audit.AuditRecord[] = [];
        for await (const m of messages) {
          const r = Audit.AuditRecord.parse(m.data);
          if (r.details['reason'] === 'other_tenant') out.push(r);
        }
        return out.length >= count ? out : undefined;
      });

    it('records the tenant of a keyed delegation, and a cancel from another tenant leaves it running', async () => {
      const d = await delegate('slow', acmeUser, { idempotencyKey: 'acme:s1' });
      await waitFor(
        () => d.updates.some((u) => u.kind === 'status' && u.state === 'TASK_STATE_WORKING'),
        { what: 'WORKING' },
      );
      const stored = await client.jetstream.lastMessage(
        DelegationStateStream,
        A2a.DelegationState.subject(d.delegationId),
      );
      expect(stored?.data).toMatchObject({
        userId: user.userId,
        tenantId: 'acme',
        state: 'running',
      });

      const cancels = (await agentStats(agents['slow']!)).methods['CancelTask'] ?? 0;
      const cancel = { delegationId: d.delegationId, reason: 'not yours' };
      client.bus.publish(A2a.DelegationCancel, [d.delegationId], cancel, { actor: globexAdmin });
      client.bus.publish(
        Tasks.TaskCancelRequested,
        [d.request.taskId],
        { taskId: d.request.taskId, reason: 'not yours' },
        { actor: globexAdmin },
      );
      const refused = await otherTenantRecords(2);
      expect(refused.map((r) => [r.outcome, r.tenantId, r.details['operation']])).toEqual([
        ['denied', 'globex', 'cancel'],
        ['denied', 'globex', 'task-cancel'],
      ]);
      expect((await agentStats(agents['slow']!)).methods['CancelTask'] ?? 0).toBe(cancels);

      client.bus.publish(A2a.DelegationCancel, [d.delegationId], cancel, { actor: acmeUser });
      expect((await failure(d.done)).code).toBe('CANCELLED');
    });

    it("answers a repeat of another tenant's recorded delegation as never recorded; its own tenant's gets the outcome", async () => {
      const original = await (await delegate('writer', user, { message: 'draft a note' })).done;
      const key = { delegationId: randomUUID(), taskId: randomUUID() };
      await client.jetstream.publish(
        A2a.DelegationState,
        [key.delegationId],
        {
          ...key,
          userId: user.userId,
          tenantId: 'acme',
          agent: 'writer',
          owner: 'another-replica',
          state: 'finished',
          at: new Date().toISOString(),
          result: { ...original, delegationId: key.delegationId, text: 'acme only' },
        },
        { msgId: randomUUID() },
      );
      const repeat = (actor: Actor) =>
        delegate('writer', actor, {
          ...key,
          message: 'draft a note',
          idempotencyKey: `${key.taskId}:s1`,
          repeat: true,
        });
      expect(await (await repeat(acmeUser)).done).toMatchObject({ text: 'acme only' });

      const before = (await agentStats(agents['writer']!)).methods['SendMessage'] ?? 0;
      const fresh = await (await repeat(user)).done;
      expect(fresh.text).not.toBe('acme only');
      expect((await agentStats(agents['writer']!)).methods['SendMessage']).toBe(before + 1);
      const refused = await otherTenantRecords(3);
      expect(refused[2]).toMatchObject({
        tenantId: 'default',
        details: { delegationId: key.delegationId, operation: 'repeat' },
      });
    });
  });
});
