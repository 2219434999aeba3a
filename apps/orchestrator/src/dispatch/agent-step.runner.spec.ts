import { A2a, DomainError, Tasks } from '@switchboard/contracts';
import { type NatsBus, ResponderSilentError } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import { InMemoryJournal } from '../tasks/journal/in-memory.journal.js';
import type { TaskJournalRepository } from '../tasks/journal/task-journal.repository.js';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import { BLOCKED_PLACEHOLDER } from '../tasks/ports/content-screen.port.js';
import { AgentStepRunner } from './agent-step.runner.js';
import { DelegationStep } from './delegation.step.js';
import { BlockedStepOutput, type DispatchContext } from './dispatch.context.js';

/** An update without its delegationId (the fake fills it in); distributive, so each kind keeps its fields. */
type Update = A2a.DelegationUpdate extends infer U
  ? U extends A2a.DelegationUpdate
    ? Omit<U, 'delegationId'>
    : never
  : never;
type Script = (
  request: A2a.DelegateRequest,
  progress: (u: Update) => void,
) => Promise<A2a.DelegationResult>;

/** A NatsBus whose Delegate replies are scripted; progress reaches the delegation's subscription. */
function fakeBus(script: Script) {
  const subscriptions = new Map<string, (update: A2a.DelegationUpdate) => void>();
  const published: { subject: string; payload: unknown }[] = [];
  const requests: A2a.DelegateRequest[] = [];
  const bus = {
    subscribe: (
      _contract: unknown,
      handler: (update: A2a.DelegationUpdate) => void,
      opts: { subject: string },
    ) => {
      subscriptions.set(opts.subject, handler);
      return { ready: Promise.resolve(), unsubscribe: () => subscriptions.delete(opts.subject) };
    },
    publish: (
      contract: { subject: (...t: string[]) => string },
      tokens: string[],
      payload: unknown,
    ) => {
      published.push({ subject: contract.subject(...tokens), payload });
    },
    request: async (contract: unknown, payload: A2a.DelegateRequest) => {
      expect(contract).toBe(A2a.Delegate);
      requests.push(payload);
      const subject = A2a.DelegationProgress.subject(payload.delegationId);
      return script(payload, (u) => {
        const update = A2a.DelegationUpdate.parse({ ...u, delegationId: payload.delegationId });
        subscriptions.get(subject)?.(update);
      });
    },
  } as unknown as NatsBus;
  return { bus, published, requests, subscriptions };
}

/** The task journal as the runner reads it back: `last`, if any. */
function streamWith(last?: Tasks.TaskEvent): TaskJournalRepository {
  return {
    named: async () => (last ? [last] : []),
  } as unknown as TaskJournalRepository;
}

/** Blocks any text with "classified" in it, the way the output guardrail would; records the hits. */
function screenFor(hits: string[]) {
  return (stepId: string, value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (!/classified/i.test(text)) return undefined;
    hits.push(stepId);
    return new DomainError('GUARDRAIL', `the output of step ${stepId} was blocked by a guardrail`);
  };
}

function context(signal = new AbortController().signal) {
  const stored: Tasks.TaskEvent[] = [];
  const hits: string[] = [];
  const jetstream = new InMemoryJournal((e) => void stored.push(Tasks.TaskEvent.parse(e)));
  const ctx: DispatchContext = {
    taskId: randomUUID(),
    actor: { userId: 'alice', role: 'user' },
    constraints: undefined,
    events: new TaskEventSequence(randomUUID(), 0, 'orchestrator', jetstream, {
      tenantId: 'default',
    }),
    index: 0,
    signal,
    timeoutMs: 60_000,
    retry: {},
    resumed: false,
    screen: screenFor(hits),
  };
  return { ctx, stored, hits };
}

const action: Tasks.PlanAction = {
  id: 's1',
  kind: 'agent',
  target: 'researcher',
  input: {},
  description: 'delegate',
};
const logger = createLogger({
  service: 'orchestrator',
  instance: 'test',
  level: 'silent',
  pretty: false,
});
const result = (
  r: A2a.DelegateRequest,
  extra: Partial<A2a.DelegationResult> = {},
): A2a.DelegationResult => ({
  delegationId: r.delegationId,
  agent: r.agent,
  transport: 'xmpp',
  protocolVersion: '1.0',
  mode: 'poll',
  state: 'TASK_STATE_COMPLETED',
  remoteTaskId: 'remote-1',
  text: 'JetStream keeps messages.',
  artifacts: [],
  attempts: 1,
  durationMs: 12,
  ...extra,
});

describe(AgentStepRunner.name, () => {
  it('turns the delegation and its progress into started/status/result events and returns the answer', async () => {
    const { bus, requests, subscriptions } = fakeBus(async (r, progress) => {
      progress({
        kind: 'started',
        agent: 'researcher',
        transport: 'xmpp',
        protocolVersion: '1.0',
        mode: 'poll',
      });
      progress({
        kind: 'retry',
        agent: 'researcher',
        transport: 'xmpp',
        attempt: 1,
        delayMs: 120,
        reason: 'HTTP 503',
      });
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'xmpp',
        state: 'TASK_STATE_WORKING',
        remoteTaskId: 'remote-1',
        text: 'searching',
      });
      return result(r);
    });
    const { ctx, stored } = context();
    const output = await new AgentStepRunner(bus, streamWith(), logger).run(
      action,
      { message: 'NATS JetStream', context: { notes: 1 } },
      ctx,
    );
    await ctx.events.flush();
    expect(output).toEqual({
      agent: 'researcher',
      text: 'JetStream keeps messages.',
      state: 'TASK_STATE_COMPLETED',
      transport: 'xmpp',
      remoteTaskId: 'remote-1',
      artifacts: [],
    });
    expect(requests[0]).toMatchObject({
      taskId: ctx.taskId,
      stepId: 's1',
      agent: 'researcher',
      message: 'NATS JetStream',
      context: '{"notes":1}',
    });
    expect(stored.map((e) => [e.name, 'state' in e.data ? e.data.state : undefined])).toEqual([
      ['a2a.delegation.started', undefined],
      ['a2a.delegation.status', 'RETRYING'],
      ['a2a.delegation.status', 'TASK_STATE_WORKING'],
      ['a2a.delegation.result', 'TASK_STATE_COMPLETED'],
    ]);
    expect(stored[0]!.data).toEqual({
      stepId: 's1',
      agent: 'researcher',
      message: 'NATS JetStream',
      transport: 'xmpp',
    });
    expect(subscriptions.size).toBe(0);
  });

  it('fails the step when the remote task did not complete, after reporting its result', async () => {
    const { bus } = fakeBus(async (r) =>
      result(r, { state: 'TASK_STATE_FAILED', text: 'no sources' }),
    );
    const { ctx, stored } = context();
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('TASK_STATE_FAILED'),
    });
    await ctx.events.flush();
    expect(stored.map((e) => e.name)).toEqual(['a2a.delegation.started', 'a2a.delegation.result']);
  });

  it('reports a refusal without a delegation event when nothing was started', async () => {
    const { bus } = fakeBus(async () => {
      throw new DomainError('FORBIDDEN', 'role "guest" may not delegate to agent "researcher"');
    });
    const { ctx, stored } = context();
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(stored).toEqual([]);
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: '  ' }, ctx),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('sends a cancellation to the a2a service and reports the delegation as cancelled', async () => {
    const controller = new AbortController();
    const { bus, published } = fakeBus(
      (_r, progress) =>
        new Promise(() => {
          progress({
            kind: 'started',
            agent: 'researcher',
            transport: 'http',
            protocolVersion: '1.0',
            mode: 'stream',
          });
          setImmediate(() => controller.abort(new DomainError('CANCELLED', 'cancelled by user')));
        }),
    );
    const { ctx, stored } = context(controller.signal);
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    await ctx.events.flush();
    expect(published).toEqual([
      {
        subject: expect.stringMatching(/^sb\.ctl\.a2a\.delegation\..+\.cancel$/),
        payload: expect.objectContaining({ reason: 'cancelled by user' }),
      },
    ]);
    expect(stored.map((e) => [e.name, 'state' in e.data ? e.data.state : undefined])).toEqual([
      ['a2a.delegation.started', undefined],
      ['a2a.delegation.result', 'TASK_STATE_CANCELED'],
    ]);
  });

  it('relays a blocked answer as the placeholder and fails the step with GUARDRAIL', async () => {
    const { bus } = fakeBus(async (r) =>
      result(r, {
        text: 'the CLASSIFIED file says…',
        artifacts: [{ artifactId: 'a1', name: 'leak', parts: [{ text: 'page 4' }] }],
      }),
    );
    const { ctx, stored, hits } = context();
    const failure = await new AgentStepRunner(bus, streamWith(), logger)
      .run(action, { message: 'x' }, ctx)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(BlockedStepOutput);
    expect((failure as BlockedStepOutput).error.code).toBe('GUARDRAIL');
    await ctx.events.flush();
    expect(hits).toEqual(['s1']);
    expect(JSON.stringify(stored)).not.toMatch(/classified/i);
    expect(stored.at(-1)).toMatchObject({
      name: 'a2a.delegation.result',
      data: { state: 'TASK_STATE_COMPLETED', text: BLOCKED_PLACEHOLDER, artifacts: [] },
    });
  });

  it('stops a delegation whose progress text is blocked: placeholder relayed, agent told to cancel', async () => {
    const { bus, published } = fakeBus(
      (_r, progress) =>
        new Promise(() => {
          progress({
            kind: 'status',
            agent: 'researcher',
            transport: 'http',
            state: 'TASK_STATE_WORKING',
            text: 'reading the classified archive',
          });
          // Late progress after the stop is not relayed.
          progress({
            kind: 'status',
            agent: 'researcher',
            transport: 'http',
            state: 'TASK_STATE_WORKING',
            text: 'still classified',
          });
        }),
    );
    const { ctx, stored, hits } = context();
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({ code: 'GUARDRAIL' });
    await ctx.events.flush();
    expect(hits).toEqual(['s1']);
    expect(JSON.stringify(stored)).not.toMatch(/classified/i);
    expect(stored.map((e) => [e.name, 'text' in e.data ? e.data.text : undefined])).toEqual([
      ['a2a.delegation.started', undefined],
      ['a2a.delegation.status', BLOCKED_PLACEHOLDER],
      ['a2a.delegation.result', 'the output of step s1 was blocked by a guardrail'],
    ]);
    expect(published).toEqual([
      {
        subject: expect.stringMatching(/^sb\.ctl\.a2a\.delegation\..+\.cancel$/),
        payload: expect.objectContaining({ reason: expect.stringContaining('guardrail') }),
      },
    ]);
  });

  it('screens an error that quotes the agent before relaying it', async () => {
    const { bus } = fakeBus(async (_r, progress) => {
      progress({
        kind: 'started',
        agent: 'researcher',
        transport: 'http',
        protocolVersion: '1.0',
        mode: 'stream',
      });
      throw new DomainError('UPSTREAM_ERROR', 'researcher failed: classified material');
    });
    const { ctx, stored } = context();
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({ code: 'GUARDRAIL' });
    await ctx.events.flush();
    expect(JSON.stringify(stored)).not.toMatch(/classified/i);
  });

  it('asks again for the same delegation when the a2a service fell silent, naming the agent task it knows', async () => {
    // The first request dies with its a2a replica after the agent's task was created; the repeat is
    // answered (attached to the delegation, or following the agent's task).
    let first = true;
    const { bus, requests } = fakeBus(async (r, progress) => {
      if (!first) return result(r, { remoteTaskId: 'remote-7' });
      first = false;
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'xmpp',
        state: 'TASK_STATE_WORKING',
        remoteTaskId: 'remote-7',
      });
      throw new ResponderSilentError(A2a.Delegate.subject, 'a2a', 6_000);
    });
    const { ctx, stored } = context();
    ctx.retry = { deadline: Date.now() + 20_000, maxOutageMs: 10_000 };
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).resolves.toMatchObject({ state: 'TASK_STATE_COMPLETED', remoteTaskId: 'remote-7' });
    expect(requests).toHaveLength(2);
    const [one, two] = requests;
    expect(two?.delegationId).toBe(one?.delegationId);
    expect(one).toMatchObject({ idempotencyKey: `${ctx.taskId}:s1` });
    expect(one?.remoteTaskId).toBeUndefined();
    expect(two).toMatchObject({ idempotencyKey: `${ctx.taskId}:s1`, remoteTaskId: 'remote-7' });
    await ctx.events.flush();
    expect(stored.map((e) => e.name)).toEqual([
      'a2a.delegation.started',
      'a2a.delegation.status',
      'a2a.delegation.result',
    ]);
  });

  it('names the delegation after its task and step: a resumed task asks for the same one', async () => {
    const { bus, requests } = fakeBus(async (r) => result(r));
    const { ctx } = context();
    const runner = new AgentStepRunner(bus, streamWith(), logger);
    await runner.run(action, { message: 'x' }, ctx);
    await runner.run(action, { message: 'x' }, ctx);
    await runner.run({ ...action, id: 's2' }, { message: 'x' }, ctx);
    const ids = requests.map((r) => r.delegationId);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    for (const id of ids)
      expect(A2a.DelegateRequest.shape.delegationId.safeParse(id).success).toBe(true);
  });

  it('resumed after a crash, names the agent task the step had started (from the stored status), and only that step’s', async () => {
    const { bus, requests } = fakeBus(async (r) => result(r));
    const { ctx } = context();
    ctx.resumed = true;
    const status = (stepId: string): Tasks.TaskEvent =>
      Tasks.TaskEvent.parse({
        taskId: ctx.taskId,
        seq: 7,
        at: new Date().toISOString(),
        source: 'orchestrator',
        name: 'a2a.delegation.status',
        data: {
          stepId,
          agent: 'researcher',
          state: 'TASK_STATE_WORKING',
          transport: 'xmpp',
          remoteTaskId: 'remote-9',
        },
      });
    await new AgentStepRunner(bus, streamWith(status('s1')), logger).run(
      action,
      { message: 'x' },
      ctx,
    );
    await new AgentStepRunner(bus, streamWith(status('s0')), logger).run(
      action,
      { message: 'x' },
      ctx,
    );
    expect(requests.map((r) => r.remoteTaskId)).toEqual(['remote-9', undefined]);
  });

  it('fails the step UPSTREAM_UNAVAILABLE (retryable) when the a2a service fell silent and the task has no time to retry', async () => {
    const { bus, requests } = fakeBus(async () => {
      throw new ResponderSilentError(A2a.Delegate.subject, 'a2a', 6_000);
    });
    const { ctx } = context();
    await expect(
      new AgentStepRunner(bus, streamWith(), logger).run(action, { message: 'x' }, ctx),
    ).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { reason: 'responder-silent' },
    });
    expect(requests).toHaveLength(1);
  });
});

describe(`${DelegationStep.name} phases`, () => {
  const plan = (delegationId: string) => ({
    stepId: 's1',
    agent: 'researcher',
    message: 'NATS JetStream',
    context: undefined,
    delegationId,
    idempotencyKey: 'k',
    remoteTaskId: undefined,
  });

  it('waiting → answered → completed', async () => {
    const { bus } = fakeBus(async (r) => result(r));
    const step = new DelegationStep(bus, logger, context().ctx, plan(randomUUID()));
    await step.run();
    expect(step.phases).toEqual(['waiting', 'answered', 'completed']);
  });

  it('waiting → answered → failed for an agent that ended its task otherwise', async () => {
    const { bus } = fakeBus(async (r) => result(r, { state: 'TASK_STATE_FAILED' }));
    const step = new DelegationStep(bus, logger, context().ctx, plan(randomUUID()));
    await expect(step.run()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(step.phases).toEqual(['waiting', 'answered', 'failed']);
  });

  it('waiting → cancelling → failed: the task’s cancel goes to a2a, progress after it is still relayed', async () => {
    const task = new AbortController();
    const id = randomUUID();
    const { bus, published } = fakeBus(async (r, progress) => {
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'http',
        state: 'TASK_STATE_WORKING',
      });
      task.abort(new DomainError('CANCELLED', 'the user cancelled the task'));
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'http',
        state: 'TASK_STATE_CANCELED',
      });
      return result(r, { state: 'TASK_STATE_CANCELED' });
    });
    const { ctx, stored } = context(task.signal);
    const step = new DelegationStep(bus, logger, ctx, plan(id));
    await expect(step.run()).rejects.toMatchObject({ code: 'CANCELLED' });
    await ctx.events.flush();
    expect(step.phases).toEqual(['waiting', 'cancelling', 'failed']);
    expect(published.map((p) => p.subject)).toEqual([A2a.DelegationCancel.subject(id)]);
    // The status after the cancel was still relayed.
    expect(stored.filter((e) => e.name === 'a2a.delegation.status')).toHaveLength(2);
  });

  it('waiting → muted → failed: a blocked progress text stops relaying and cancels the delegation', async () => {
    const id = randomUUID();
    const { bus, published } = fakeBus(async (r, progress) => {
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'http',
        state: 'TASK_STATE_WORKING',
        text: 'classified',
      });
      progress({
        kind: 'status',
        agent: 'researcher',
        transport: 'http',
        state: 'TASK_STATE_WORKING',
        text: 'more',
      });
      return new Promise<A2a.DelegationResult>(() => undefined); // a2a never answers: the stop ends it
    });
    const { ctx, stored } = context();
    const step = new DelegationStep(bus, logger, ctx, plan(id));
    await expect(step.run()).rejects.toMatchObject({ code: 'GUARDRAIL' });
    await ctx.events.flush();
    expect(step.phases).toEqual(['waiting', 'muted', 'failed']);
    expect(published.map((p) => p.subject)).toEqual([A2a.DelegationCancel.subject(id)]);
    expect(stored.filter((e) => e.name === 'a2a.delegation.status')).toHaveLength(1);
  });
});
