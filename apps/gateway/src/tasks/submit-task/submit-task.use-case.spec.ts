import { describe, expect, it } from '@jest/globals';
import { type Actor, DEFAULT_TENANT, DomainError, Tasks, Tenancy } from '@switchboard/contracts';
import {
  type AuditEvent,
  AuditTrail,
  type JetStreamService,
  type MessagingOptions,
} from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import type { GatewayMetrics } from '../../limits/gateway.metrics.js';
import { DeferredRateCharge } from '../../limits/rate-limiter.js';
import type { AdmissionHolds, TaskAdmission } from '../../limits/task-admission.js';
import type { AgentChoiceCheck } from './agent-choice.check.js';
import type { WebhookTargetCheck } from './webhook-target.check.js';
import type { ThreadAdmission, ThreadPlace } from './thread-admission.js';
import { SubmitTaskUseCase } from './submit-task.use-case.js';

const logger = createLogger({ service: 'gateway', instance: 't', level: 'silent', pretty: false });
const alice: Actor = { userId: 'alice', role: 'user' };
const request: Tasks.TaskRequest = { task: 'what is 17 * 23' } as Tasks.TaskRequest;

/** The submission stream answers from a script (errors are thrown), and what was recorded. */
function setup(
  answers: (Error | undefined)[] = [],
  refusal?: Error,
  webhookRefusal?: Error,
  threadAnswer: (taskId: string) => ThreadPlace | Error = (taskId) => ({
    taskId,
    decision: 'run',
    policy: 'enqueue',
  }),
) {
  const published: { submission: Tasks.TaskSubmission; msgId: string | undefined }[] = [];
  const jetstream = {
    publish: async (
      contract: unknown,
      _tokens: unknown,
      submission: Tasks.TaskSubmission,
      opts: { msgId?: string },
    ) => {
      expect(contract).toBe(Tasks.TaskSubmitted);
      const next = answers.shift();
      if (next) throw next;
      published.push({ submission, msgId: opts.msgId });
    },
  } as unknown as JetStreamService;
  // What is published on its own (`record`); `build` is the real one (the record in the submission).
  const audits: Record<string, unknown>[] = [];
  const trail = new AuditTrail(jetstream, { service: 'gateway' } as MessagingOptions, logger);
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
    build: (e: AuditEvent) => trail.build(e),
  } as unknown as AuditTrail;
  // The admission records the owner with the quota slot (one script).
  const owners: string[] = [];
  const holds: unknown[] = [];
  let submitted = 0;
  const metrics = { tasksSubmitted: { inc: () => submitted++ } } as unknown as GatewayMetrics;
  // The tenant quotas: admit everything, or refuse with `refusal`; what was admitted and released.
  const slots = { admitted: [] as string[], released: [] as string[] };
  const admission = {
    admit: async (actor: Actor, taskId: string, held: AdmissionHolds = {}) => {
      holds.push(held);
      if (refusal) throw refusal;
      slots.admitted.push(taskId);
      owners.push(`${taskId}:${actor.userId}`);
      if (held.slot)
        return { release: () => slots.released.push(`stream ${taskId}`), taskEnded: () => 0 };
    },
    release: async (_actor: Actor, taskId: string) => void slots.released.push(taskId),
  } as unknown as TaskAdmission;
  // The orchestrator's URL policy on the request's webhook: accepts, or refuses with webhookRefusal.
  const checked: string[] = [];
  const webhook = {
    check: async (r: Tasks.TaskRequest) => {
      if (!r.webhook) return;
      checked.push(r.webhook.url);
      if (webhookRefusal) throw webhookRefusal;
    },
  } as unknown as WebhookTargetCheck;
  // The tenant's agents: every request's `agent` is checked before anything is admitted.
  const agentsChecked: string[] = [];
  const agentCheck = {
    check: async (r: Tasks.TaskRequest, _a: Actor, replaying: boolean) => {
      if (r.agent && !replaying) agentsChecked.push(r.agent.name);
      if (r.agent?.name === 'nobody') throw new DomainError('VALIDATION', 'agent.name: no');
    },
  } as unknown as AgentChoiceCheck;
  // The orchestrator's thread door: what it was asked, and what was given back.
  const thread = { asked: [] as string[], withdrawn: [] as string[] };
  const threadAdmission = {
    admit: async (taskId: string, _a: Actor, r: Tasks.TaskRequest) => {
      if (!r.thread_id) return undefined;
      thread.asked.push(`${taskId}:${r.thread_id}:${r.thread_policy ?? '-'}`);
      const answer = threadAnswer(taskId);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    withdraw: async (taskId: string) => void thread.withdrawn.push(taskId),
  } as unknown as ThreadAdmission;
  const sut = new SubmitTaskUseCase(
    jetstream,
    audit,
    metrics,
    { SUBMIT_WAIT_MS: 5_000 },
    logger,
    admission,
    webhook,
    threadAdmission,
    agentCheck,
  );
  return {
    sut,
    published,
    audits,
    owners,
    slots,
    holds,
    checked,
    agentsChecked,
    thread,
    submitted: () => submitted,
  };
}

describe(SubmitTaskUseCase.name, () => {
  it("checks a request's webhook first, and a refused one admits and stores nothing", async () => {
    const withHook = {
      ...request,
      webhook: { url: 'https://10.0.0.1/hook', events: ['ended'] },
    } as Tasks.TaskRequest;
    const refused = new DomainError('VALIDATION', 'webhook.url: 10.0.0.1 is a private address');
    const { sut, published, slots, owners, checked } = setup([], undefined, refused);
    await expect(sut.execute(sut.newTaskId(), alice, withHook, 'req-w')).rejects.toBe(refused);
    expect(checked).toEqual(['https://10.0.0.1/hook']);
    expect([published, slots.admitted, owners]).toEqual([[], [], []]);

    const ok = setup();
    await ok.sut.execute(ok.sut.newTaskId(), alice, withHook, 'req-w2');
    expect(ok.checked).toEqual(['https://10.0.0.1/hook']);
    expect(ok.published[0]?.submission.request.webhook).toEqual(withHook.webhook);
  });

  it('admits a task that names a thread into it before storing it, and audits its place', async () => {
    const RUNNING = '22222222-2222-4222-8222-222222222222';
    const { sut, published, thread, audits } = setup([], undefined, undefined, (taskId) => ({
      taskId,
      decision: 'queued',
      policy: 'interrupt',
      runningTaskId: RUNNING,
    }));
    const taskId = sut.newTaskId();
    const inThread = {
      ...request,
      thread_id: 't1',
      thread_policy: 'interrupt',
    } as Tasks.TaskRequest;
    await sut.execute(taskId, alice, inThread, 'req-t');
    expect(thread.asked).toEqual([`${taskId}:t1:interrupt`]);
    expect(published).toHaveLength(1);
    expect(audits).toEqual([]);
    expect(published[0]?.submission.audit?.details).toMatchObject({
      threadId: 't1',
      thread: 'queued',
      threadPolicy: 'interrupt',
      runningTaskId: RUNNING,
    });
  });

  it('reject: the CONFLICT naming the running task is the answer; nothing stored, the quota slot freed', async () => {
    const busy = new DomainError('CONFLICT', 'thread t1 is busy', {
      details: { running_task_id: '22222222-2222-4222-8222-222222222222' },
    });
    const { sut, published, slots, thread } = setup([], undefined, undefined, () => busy);
    const taskId = sut.newTaskId();
    await expect(
      sut.execute(taskId, alice, { ...request, thread_id: 't1' } as Tasks.TaskRequest, 'req-r'),
    ).rejects.toBe(busy);
    expect(published).toEqual([]);
    expect(slots.released).toEqual([taskId]);
    expect(thread.withdrawn).toEqual([]);
  });

  it('gives the thread place back when the task could not be stored', async () => {
    const down = new DomainError('UPSTREAM_UNAVAILABLE', 'stream gone', { retryable: false });
    const { sut, thread } = setup([down]);
    const taskId = sut.newTaskId();
    await expect(
      sut.execute(taskId, alice, { ...request, thread_id: 't1' } as Tasks.TaskRequest, 'req-f'),
    ).rejects.toBe(down);
    expect(thread.withdrawn).toEqual([taskId]);
  });

  it("checks a request's agent on every surface: one its tenant lacks admits and stores nothing", async () => {
    const { sut, published, slots, agentsChecked } = setup();
    const named = (name: string) => ({ ...request, agent: { name } }) as Tasks.TaskRequest;
    await expect(sut.execute(sut.newTaskId(), alice, named('nobody'), 'req-a')).rejects.toThrow(
      /agent\.name/,
    );
    expect([published, slots.admitted]).toEqual([[], []]);
    await sut.execute(sut.newTaskId(), alice, named('support'), 'req-a2');
    // A replay runs its record's version: not checked again.
    const run = { kind: 'replay', of: '22222222-2222-4222-8222-222222222222' } as Tasks.RunOrigin;
    await sut.execute(sut.newTaskId(), alice, named('support'), 'req-a3', { run });
    expect(agentsChecked).toEqual(['nobody', 'support']);
    expect(published.map((p) => p.submission.request.agent?.name)).toEqual(['support', 'support']);
  });

  it('never admits a replay or fork into the thread (it runs beside the conversation)', async () => {
    const { sut, thread, published } = setup();
    const run = { kind: 'replay', of: '22222222-2222-4222-8222-222222222222' } as Tasks.RunOrigin;
    await sut.execute(
      sut.newTaskId(),
      alice,
      { ...request, thread_id: 't1' } as Tasks.TaskRequest,
      'req-p',
      { run },
    );
    expect(thread.asked).toEqual([]);
    expect(published).toHaveLength(1);
  });

  it('stores the submission de-duplicated by task id, records its owner, counts and audits it', async () => {
    const { sut, published, owners, submitted } = setup();
    const taskId = sut.newTaskId();
    await sut.execute(taskId, alice, request, 'req-1');
    expect(published).toEqual([
      {
        msgId: taskId,
        submission: expect.objectContaining({
          taskId,
          actor: alice,
          request,
          correlationId: 'req-1',
        }),
      },
    ]);
    expect(owners).toEqual([`${taskId}:alice`]);
    expect(submitted()).toBe(1);
  });

  it("puts the submission's audit record in the submission, publishing none of its own", async () => {
    const { sut, published, audits } = setup();
    const taskId = sut.newTaskId();
    await sut.execute(taskId, alice, request, 'req-a');
    expect(audits).toEqual([]);
    const submission = Tasks.TaskSubmission.parse(published[0]?.submission);
    expect(submission.audit).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      at: expect.any(String),
      category: 'request',
      action: 'task.submit',
      outcome: 'success',
      source: 'gateway',
      resource: taskId,
      taskId,
      actor: { userId: 'alice', role: 'user' },
      tenantId: DEFAULT_TENANT,
      details: { length: request.task.length },
    });
  });

  it('a replay or fork names its origin in the record', async () => {
    const { sut, published } = setup();
    const run = { kind: 'fork', of: '22222222-2222-4222-8222-222222222222' } as Tasks.RunOrigin;
    await sut.execute(sut.newTaskId(), alice, request, 'req-o', { run });
    expect(published[0]?.submission.audit?.details).toEqual({
      length: request.task.length,
      run: { kind: 'fork', of: run.of },
    });
  });

  it('offers the task again while the stream cannot take it (a leader election), once it can', async () => {
    const busy = new DomainError('UPSTREAM_UNAVAILABLE', 'no JetStream leader', {
      retryable: true,
    });
    const { sut, published } = setup([busy]);
    await sut.execute(sut.newTaskId(), alice, request, 'req-2');
    expect(published).toHaveLength(1);
  });

  it('fails at once on an error that a second offer cannot mend, auditing nothing', async () => {
    const full = new DomainError('UPSTREAM_UNAVAILABLE', 'maximum bytes exceeded', {
      retryable: false,
    });
    const { sut, published, audits, submitted } = setup([full]);
    await expect(sut.execute(sut.newTaskId(), alice, request, 'req-3')).rejects.toBe(full);
    expect(published).toEqual([]);
    expect(audits).toEqual([]);
    expect(submitted()).toBe(0);
  });

  it("refuses a task over its tenant's quota before anything is stored, counted or audited", async () => {
    const over = Tenancy.quotaExceededError({
      quota: 'concurrentTasks',
      scope: 'tenant',
      tenantId: 'acme',
      limit: 10,
      used: 10,
      retryAfterSeconds: 5,
    });
    const { sut, published, audits, submitted } = setup([], over);
    await expect(sut.execute(sut.newTaskId(), alice, request, 'req-5')).rejects.toBe(over);
    expect(published).toEqual([]);
    expect(audits).toEqual([]);
    expect(submitted()).toBe(0);
  });

  it('gives the quota slot back when the admitted task cannot be stored, and keeps it when it is', async () => {
    const full = new DomainError('UPSTREAM_UNAVAILABLE', 'maximum bytes exceeded');
    const failing = setup([full]);
    const lost = failing.sut.newTaskId();
    await expect(failing.sut.execute(lost, alice, request, 'req-6')).rejects.toBe(full);
    expect(failing.slots).toEqual({ admitted: [lost], released: [lost] });
    const ok = setup();
    const kept = ok.sut.newTaskId();
    await ok.sut.execute(kept, alice, request, 'req-7');
    expect(ok.slots).toEqual({ admitted: [kept], released: [] });
  });

  it("hands the admission the request's rate charge and the session's slot, and returns the slot", async () => {
    const { sut, holds } = setup();
    const rate = new DeferredRateCharge({ admit: async () => undefined }, alice);
    const slot = await sut.execute(sut.newTaskId(), alice, request, 'req-4', {
      holds: { rate, slot: 'sse' },
    });
    expect(slot).toBeDefined();
    expect(holds).toEqual([{ rate, slot: 'sse' }]);
  });

  it("charges a rate left to the admission before a webhook's check: an over-limit user causes none", async () => {
    const over = new DomainError('RATE_LIMITED', 'rate limit exceeded');
    const withHook = {
      ...request,
      webhook: { url: 'https://example.com/hook', events: ['ended'] },
    } as Tasks.TaskRequest;
    const { sut, checked, slots } = setup();
    const rate = new DeferredRateCharge(
      {
        admit: async () => {
          throw over;
        },
      },
      alice,
    );
    await expect(
      sut.execute(sut.newTaskId(), alice, withHook, 'req-5', { holds: { rate } }),
    ).rejects.toBe(over);
    expect([checked, slots.admitted]).toEqual([[], []]);
  });

  it("gives the session's stream slot back with the quota slot when the task cannot be stored", async () => {
    const full = new DomainError('UPSTREAM_UNAVAILABLE', 'stream full');
    const { sut, slots } = setup([full]);
    const taskId = sut.newTaskId();
    await expect(
      sut.execute(taskId, alice, request, 'req-6', { holds: { slot: 'sse' } }),
    ).rejects.toBe(full);
    expect(slots.released).toEqual([`stream ${taskId}`, taskId]);
  });
});
