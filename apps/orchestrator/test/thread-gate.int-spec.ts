import type { Actor, Tasks } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { TaskRepository } from '../src/tasks/task.repository.js';
import { ThreadGateRepository } from '../src/threads/thread-gate.repository.js';
import { ThreadRepository } from '../src/threads/thread.repository.js';
import { TaskStateStore } from '../src/tasks/state/task-state.store.js';

const STALE_MS = 60_000;
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

// The thread's slot and waiters against a real, migrated PostgreSQL (docs/api.md, Threads): decisions
// taken at the same instant on separate connections are serialised by the slot's row lock.
describe('the thread gate (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let gates: ThreadGateRepository[];
  let tasks: TaskRepository;
  let turns: ThreadRepository;

  beforeAll(async () => {
    db = await createTestDatabase('orch_threads', 'orchestrator');
    // Two clients, as two orchestrator replicas would have.
    prismas = [0, 1].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    gates = prismas.map((p) => new ThreadGateRepository(p));
    tasks = new TaskRepository(prismas[0]!, new TaskStateStore(prismas[0]!));
    turns = new ThreadRepository(prismas[0]!);
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const keyOf = (threadId: string) => ({ tenantId: 'acme', userId: 'ann', threadId });
  const submission = (threadId: string, taskId = randomUUID()): Tasks.TaskSubmission => ({
    taskId,
    actor: ann,
    request: { task: `message ${taskId}`, thread_id: threadId },
    submittedAt: new Date().toISOString(),
    correlationId: `c-${taskId}`,
  });

  it('reject at the same instant on two replicas, many times: exactly one runs, the others name it', async () => {
    for (let round = 0; round < 10; round++) {
      const key = keyOf(`race-${randomUUID()}`);
      const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const answers = await Promise.all(
        ids.map((id, i) => gates[i % 2]!.admit(key, id, 'refuse', STALE_MS)),
      );
      const winners = ids.filter((_, i) => answers[i]!.decision === 'run');
      expect(winners).toHaveLength(1);
      for (const a of answers)
        if (a.decision !== 'run')
          expect(a).toEqual({ decision: 'busy', runningTaskId: winners[0] });
    }
  });

  it('enqueue: waiters run in the order they came; each release hands the thread to the next', async () => {
    const key = keyOf(`queue-${randomUUID()}`);
    const [a, b, c] = [
      submission(key.threadId),
      submission(key.threadId),
      submission(key.threadId),
    ];
    expect(await gates[0]!.admit(key, a.taskId, 'after', STALE_MS)).toEqual({ decision: 'run' });
    expect(await gates[1]!.admit(key, b.taskId, 'after', STALE_MS)).toMatchObject({
      decision: 'queued',
      runningTaskId: a.taskId,
    });
    expect(await gates[0]!.admit(key, c.taskId, 'after', STALE_MS)).toMatchObject({
      decision: 'queued',
    });
    // b delivered before its turn: waits, its submission stored; a (its own) may run.
    expect(await gates[1]!.enter(key, b, STALE_MS)).toBe(false);
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    // Asked again (a retried request): the same answer, no second place.
    expect(await gates[0]!.admit(key, b.taskId, 'after', STALE_MS)).toMatchObject({
      decision: 'queued',
    });
    const next = await gates[1]!.release(key, a.taskId);
    expect(next).toEqual({ taskId: b.taskId, submission: b });
    // Released twice (a replica that died after releasing): nothing more.
    expect(await gates[0]!.release(key, a.taskId)).toBeUndefined();
    // c's first delivery still on its way when b ends: handed the thread without a submission.
    expect(await gates[0]!.release(key, b.taskId)).toEqual({ taskId: c.taskId });
    expect(await gates[0]!.enter(key, c, STALE_MS)).toBe(true);
    expect(await gates[0]!.release(key, c.taskId)).toBeUndefined();
    expect((await gates[1]!.admit(key, randomUUID(), 'refuse', STALE_MS)).decision).toBe('run');
  });

  /** The stored state of a task's row (undefined: no row). */
  const rowOf = (taskId: string) =>
    prismas[0]!.task.findUnique({
      where: { id: taskId },
      select: { status: true, version: true, text: true, startedAt: true, cancelReason: true },
    });

  it('stores a task behind its busy thread as waiting_thread, hands it over as queued; a redelivery waits', async () => {
    const key = keyOf(`stored-${randomUUID()}`);
    const [a, b, c] = [
      submission(key.threadId),
      submission(key.threadId),
      submission(key.threadId),
    ];
    expect(await gates[0]!.admit(key, a.taskId, 'after', STALE_MS)).toEqual({ decision: 'run' });
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    await tasks.claim(a, 'builtin', a.request.task);
    // b admitted by its gateway, then delivered: it waits, its row stored with its place in line,
    // without its text (not screened yet).
    await gates[1]!.admit(key, b.taskId, 'after', STALE_MS);
    expect(await gates[1]!.enter(key, b, STALE_MS)).toBe(false);
    expect(await rowOf(b.taskId)).toEqual({
      status: 'waiting_thread',
      version: 0,
      text: '',
      startedAt: null,
      cancelReason: null,
    });
    // c never admitted (a producer that does not ask): it waits at the end, stored the same way.
    expect(await gates[0]!.enter(key, c, STALE_MS)).toBe(false);
    expect((await rowOf(c.taskId))?.status).toBe('waiting_thread');
    // A redelivery of b is not a claimed task: it waits again, its row as it was.
    expect(await gates[0]!.claimed(b.taskId)).toBe(false);
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(false);
    expect(await rowOf(b.taskId)).toMatchObject({ status: 'waiting_thread', version: 0 });
    // a ends: the release hands b the thread and moves its row to queued, in one transaction.
    await prismas[0]!.task.update({ where: { id: a.taskId }, data: { status: 'completed' } });
    expect(await gates[1]!.release(key, a.taskId)).toEqual({ taskId: b.taskId, submission: b });
    expect(await rowOf(b.taskId)).toMatchObject({ status: 'queued', version: 1, text: '' });
    expect((await rowOf(c.taskId))?.status).toBe('waiting_thread');
    // Not claimed yet: a lost publish is offered again; delivered, it runs and its claim takes the
    // queued row with its screened text.
    expect(await gates[0]!.claimed(b.taskId)).toBe(false);
    expect(await gates[0]!.handedOver(new Date(Date.now() + 1_000), 10)).toEqual([b]);
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(true);
    const claim = await tasks.claim(b, 'builtin', b.request.task);
    expect(claim).toMatchObject({ resumed: false, status: 'running', steps: [] });
    expect(await rowOf(b.taskId)).toMatchObject({
      status: 'running',
      version: 2,
      text: b.request.task,
    });
    expect(await gates[0]!.claimed(b.taskId)).toBe(true);
    expect(await gates[0]!.waitingSubmission(b.taskId)).toBeUndefined();
  });

  it('ends a task cancelled while it waits at its claim: its row cancelling, then started with its text', async () => {
    const key = keyOf(`stored-cancel-${randomUUID()}`);
    const [a, b, c] = [
      submission(key.threadId),
      submission(key.threadId),
      submission(key.threadId),
    ];
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    await tasks.claim(a, 'builtin', a.request.task);
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(false);
    expect(await gates[0]!.enter(key, c, STALE_MS)).toBe(false);
    // The user's cancel of b, on its row (TaskHandler → TaskCanceller).
    expect(await tasks.requestCancel(b.taskId, 'changed my mind')).toBe(true);
    expect(await rowOf(b.taskId)).toMatchObject({
      status: 'cancelling',
      cancelReason: 'changed my mind',
    });
    // Let go (its submission delivered again): not claimed yet, the gate lets it through (its kept
    // submission dropped); its claim is a new run's, ending it at once with its screened text stored.
    expect(await gates[1]!.claimed(b.taskId)).toBe(false);
    expect(await gates[1]!.enter(key, b, STALE_MS)).toBe(true);
    expect(await gates[0]!.waitingSubmission(b.taskId)).toBeUndefined();
    const claim = await tasks.claim(b, 'builtin', b.request.task);
    expect(claim).toMatchObject({
      resumed: false,
      status: 'cancelling',
      cancelReason: 'changed my mind',
    });
    expect(await rowOf(b.taskId)).toMatchObject({ status: 'cancelling', text: b.request.task });
    expect((await rowOf(b.taskId))?.startedAt).toBeInstanceOf(Date);
    expect(await gates[1]!.claimed(b.taskId)).toBe(true);
    // c's cancel stored as a queued cancellation (a cancel that raced its first delivery): its next
    // delivery is let through, and its row stores the cancel in the same transaction.
    await tasks.rememberQueuedCancel(c.taskId, ann, 'too late');
    expect(await gates[0]!.enter(key, c, STALE_MS)).toBe(true);
    expect(await rowOf(c.taskId)).toMatchObject({ status: 'cancelling', cancelReason: 'too late' });
    // It left the line: a's end hands the thread to nobody.
    expect(await gates[0]!.waitingSubmission(c.taskId)).toBeUndefined();
  });

  it('offers again a task cancelled after its hand-over whose publishes were lost', async () => {
    const key = keyOf(`stored-lost-${randomUUID()}`);
    const [a, b] = [submission(key.threadId), submission(key.threadId)];
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    await tasks.claim(a, 'builtin', a.request.task);
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(false);
    await prismas[0]!.task.update({ where: { id: a.taskId }, data: { status: 'completed' } });
    expect(await gates[0]!.release(key, a.taskId)).toEqual({ taskId: b.taskId, submission: b });
    expect(await tasks.requestCancel(b.taskId, 'stop')).toBe(true);
    // Neither the hand-over's publish nor the cancel's arrived: the sweep offers it again, and it
    // runs (to end cancelled at its claim).
    expect(await gates[1]!.handedOver(new Date(Date.now() + 1_000), 10)).toEqual([b]);
    expect(await gates[1]!.claimed(b.taskId)).toBe(false);
    expect(await gates[1]!.enter(key, b, STALE_MS)).toBe(true);
    expect(await tasks.claim(b, 'builtin', b.request.task)).toMatchObject({
      resumed: false,
      cancelReason: 'stop',
    });
  });

  it('fails a waiting task whose submission is dead-lettered, with its text', async () => {
    const key = keyOf(`stored-dead-${randomUUID()}`);
    const [a, b] = [submission(key.threadId), submission(key.threadId)];
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(false);
    await tasks.abandon({
      taskId: b.taskId,
      actor: ann,
      text: b.request.task,
      request: b.request,
      correlationId: b.correlationId,
      threadId: key.threadId,
      submittedAt: new Date(b.submittedAt),
      planner: 'builtin',
      error: { code: 'INTERNAL', message: 'gave up', retryable: false },
      lastEventSeq: 1,
    });
    expect(await rowOf(b.taskId)).toMatchObject({ status: 'failed', text: b.request.task });
  });

  it('keeps a handed-over submission until its task runs: a lost publish is offered again, once per period', async () => {
    const key = keyOf(`handover-${randomUUID()}`);
    const [a, b] = [submission(key.threadId), submission(key.threadId)];
    expect(await gates[0]!.admit(key, a.taskId, 'after', STALE_MS)).toEqual({ decision: 'run' });
    expect(await gates[0]!.enter(key, a, STALE_MS)).toBe(true);
    expect(await gates[1]!.admit(key, b.taskId, 'after', STALE_MS)).toMatchObject({
      decision: 'queued',
    });
    expect(await gates[1]!.enter(key, b, STALE_MS)).toBe(false);
    expect(await gates[0]!.release(key, a.taskId)).toEqual({ taskId: b.taskId, submission: b });
    // The publish after that commit was lost (the replica died): the sweep finds b's submission…
    const later = () => new Date(Date.now() + 1_000);
    expect(await gates[1]!.handedOver(later(), 10)).toEqual([b]);
    // …once per period: offered again, it is marked as handed over now.
    expect(await gates[1]!.handedOver(new Date(Date.now() - 30_000), 10)).toEqual([]);
    // Delivered at last, it runs, and nothing is offered any more.
    expect(await gates[0]!.enter(key, b, STALE_MS)).toBe(true);
    expect(await gates[1]!.handedOver(later(), 10)).toEqual([]);
    expect(await gates[0]!.release(key, b.taskId)).toBeUndefined();
  });

  it('interrupt goes before every waiter; rollback discards the displaced task turns on release', async () => {
    const key = keyOf(`roll-${randomUUID()}`);
    const [running, queued, rolling] = [randomUUID(), randomUUID(), randomUUID()];
    await gates[0]!.admit(key, running, 'after', STALE_MS);
    await gates[0]!.admit(key, queued, 'after', STALE_MS);
    expect(await gates[1]!.admit(key, rolling, 'before-discarding', STALE_MS)).toEqual({
      decision: 'queued',
      runningTaskId: running,
      displaced: true,
    });
    await turns.saveExchange({
      thread: key,
      taskId: running,
      user: { content: 'the first message', tokens: 3 },
      assistant: { content: '[no answer: cancelled]', tokens: 4 },
      at: new Date(),
      keep: 200,
    });
    expect(await gates[0]!.release(key, running)).toEqual({ taskId: rolling });
    expect(await turns.recent(key, randomUUID(), 10)).toEqual([]);
  });

  it('frees a thread whose running task has ended (its release lost), or never came', async () => {
    const ended = keyOf(`ended-${randomUUID()}`);
    const s = submission(ended.threadId);
    await gates[0]!.admit(ended, s.taskId, 'refuse', STALE_MS);
    await tasks.claim(s, 'builtin', s.request.task);
    expect((await gates[0]!.admit(ended, randomUUID(), 'refuse', STALE_MS)).decision).toBe('busy');
    await prismas[0]!.task.update({ where: { id: s.taskId }, data: { status: 'failed' } });
    expect((await gates[0]!.admit(ended, randomUUID(), 'refuse', STALE_MS)).decision).toBe('run');

    const lost = keyOf(`lost-${randomUUID()}`);
    await gates[0]!.admit(lost, randomUUID(), 'refuse', STALE_MS);
    expect((await gates[0]!.admit(lost, randomUUID(), 'refuse', STALE_MS)).decision).toBe('busy');
    // Admitted long ago and never claimed: its gateway died before submitting it.
    expect((await gates[0]!.admit(lost, randomUUID(), 'refuse', 0)).decision).toBe('run');
  });

  it("lets a waiter cancelled by its submitter through, and leaves another user's cancellation waiting", async () => {
    const key = keyOf(`cancel-${randomUUID()}`);
    const [running, mine, theirs] = [
      submission(key.threadId),
      submission(key.threadId),
      submission(key.threadId),
    ];
    await gates[0]!.admit(key, running.taskId, 'after', STALE_MS);
    await gates[0]!.admit(key, mine.taskId, 'after', STALE_MS);
    await gates[0]!.admit(key, theirs.taskId, 'after', STALE_MS);
    await tasks.rememberQueuedCancel(mine.taskId, ann, 'changed my mind');
    await tasks.rememberQueuedCancel(
      theirs.taskId,
      { userId: 'eve', role: 'user', tenantId: 'acme' },
      'no',
    );
    expect(await gates[1]!.enter(key, mine, STALE_MS)).toBe(true);
    expect(await gates[1]!.enter(key, theirs, STALE_MS)).toBe(false);
    expect(await gates[0]!.waitingSubmission(mine.taskId)).toBeUndefined();
    expect(await gates[0]!.waitingSubmission(theirs.taskId)).toEqual(theirs);
    // The thread goes on in order: the cancelled one left the line.
    expect(await gates[0]!.release(key, running.taskId)).toEqual({
      taskId: theirs.taskId,
      submission: theirs,
    });
  });

  it("one user's thread is not another's, nor another tenant's", async () => {
    const threadId = `same-${randomUUID()}`;
    const mine = await gates[0]!.admit(keyOf(threadId), randomUUID(), 'refuse', STALE_MS);
    const bobs = await gates[0]!.admit(
      { tenantId: 'acme', userId: 'bob', threadId },
      randomUUID(),
      'refuse',
      STALE_MS,
    );
    const globex = await gates[1]!.admit(
      { tenantId: 'globex', userId: 'ann', threadId },
      randomUUID(),
      'refuse',
      STALE_MS,
    );
    expect([mine, bobs, globex].map((a) => a.decision)).toEqual(['run', 'run', 'run']);
  });
});
