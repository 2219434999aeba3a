import { DomainError } from '@switchboard/contracts';
import { DelegationRun } from './delegation-run.js';
import { isTransient } from './agent-resilience.js';
import type {
  RemoteAgentPort,
  RemoteConnection,
  RemoteEvent,
  RemoteTaskSnapshot,
} from './remote-agent.port.js';
import type { PushWaiter } from './push-inbox.js';
import { RemoteTaskDriver, type StatusNotice } from './remote-task.driver.js';

const connection: RemoteConnection = { protocolVersion: '1.0' };
const message = { messageId: 'm1', text: 'NATS JetStream', context: undefined };
const snapshot = (state: string, extra: Partial<RemoteTaskSnapshot> = {}): RemoteTaskSnapshot => ({
  taskId: 't1',
  contextId: 'c1',
  state,
  statusText: undefined,
  artifacts: [],
  ...extra,
});

/** A port whose answers are scripted per test. */
function fakePort(script: Partial<RemoteAgentPort>): RemoteAgentPort {
  const missing = () => {
    throw new Error('not scripted');
  };
  return {
    fetchCard: missing,
    stream: missing,
    send: missing,
    getTask: missing,
    cancelTask: missing,
    ...script,
  } as RemoteAgentPort;
}

describe(RemoteTaskDriver.name, () => {
  const statuses: StatusNotice[] = [];
  const input = (
    port: RemoteAgentPort,
    mode: 'stream' | 'poll' | 'push',
    run = new DelegationRun('d1', 'task1', 'researcher', 'default'),
  ) => ({
    driver: new RemoteTaskDriver(port, {
      pollIntervalMs: 1,
      maxPollFailures: 3,
      pushSafetyPollMs: 60_000,
    }),
    args: { connection, mode, message, run, onStatus: (s: StatusNotice) => statuses.push(s) },
  });

  beforeEach(() => (statuses.length = 0));

  it('follows a stream to its final state, collecting artifacts (appended chunks too)', async () => {
    const events: RemoteEvent[] = [
      { kind: 'task', task: snapshot('TASK_STATE_SUBMITTED') },
      {
        kind: 'status',
        taskId: 't1',
        contextId: 'c1',
        state: 'TASK_STATE_WORKING',
        text: 'searching',
      },
      {
        kind: 'artifact',
        taskId: 't1',
        artifact: { artifactId: 'a', parts: [{ text: 'part one' }] },
        append: false,
      },
      {
        kind: 'artifact',
        taskId: 't1',
        artifact: { artifactId: 'a', parts: [{ text: 'part two' }] },
        append: true,
      },
      {
        kind: 'status',
        taskId: 't1',
        contextId: 'c1',
        state: 'TASK_STATE_COMPLETED',
        text: 'done',
      },
    ];
    const { driver, args } = input(
      fakePort({
        stream: async function* () {
          yield* events;
        },
      }),
      'stream',
    );
    const outcome = await driver.drive(args);
    expect(outcome).toEqual({
      state: 'TASK_STATE_COMPLETED',
      remoteTaskId: 't1',
      contextId: 'c1',
      text: 'part one\npart two',
      artifacts: [{ artifactId: 'a', parts: [{ text: 'part one' }, { text: 'part two' }] }],
    });
    expect(statuses.map((s) => s.state)).toEqual([
      'TASK_STATE_SUBMITTED',
      'TASK_STATE_WORKING',
      'TASK_STATE_COMPLETED',
    ]);
    expect(args.run.remoteTaskId).toBe('t1');
  });

  it('falls back to polling when a stream ends before the task is final', async () => {
    let polls = 0;
    const { driver, args } = input(
      fakePort({
        stream: async function* () {
          yield { kind: 'task', task: snapshot('TASK_STATE_WORKING') } satisfies RemoteEvent;
        },
        getTask: async () =>
          ++polls < 2
            ? snapshot('TASK_STATE_WORKING')
            : snapshot('TASK_STATE_COMPLETED', { statusText: 'all done' }),
      }),
      'stream',
    );
    expect(await driver.drive(args)).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      text: 'all done',
    });
    expect(polls).toBe(2);
  });

  it('polls once the task exists when the stream breaks off for a transient reason, and not before', async () => {
    const broken = new DomainError('TIMEOUT', 'the stream stayed silent', { retryable: true });
    const { driver, args } = input(
      fakePort({
        stream: async function* () {
          yield { kind: 'task', task: snapshot('TASK_STATE_WORKING') } satisfies RemoteEvent;
          throw broken;
        },
        getTask: async () => snapshot('TASK_STATE_COMPLETED', { statusText: 'finished' }),
      }),
      'stream',
    );
    expect(await driver.drive(args)).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      text: 'finished',
    });
    const early = input(
      fakePort({
        // eslint-disable-next-line require-yield
        stream: async function* () {
          throw broken;
        },
      }),
      'stream',
    );
    // No task yet: the failure stays retryable (nothing to follow, a retry starts afresh).
    await expect(early.driver.drive(early.args)).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
  });

  it('polls after a non-blocking send, tolerating a transient GetTask failure, reporting each change once', async () => {
    const answers: (RemoteTaskSnapshot | Error)[] = [
      snapshot('TASK_STATE_WORKING', { statusText: 'reading' }),
      new DomainError('UPSTREAM_UNAVAILABLE', 'HTTP 503', { retryable: true }),
      snapshot('TASK_STATE_WORKING', { statusText: 'reading' }),
      snapshot('TASK_STATE_FAILED', { statusText: 'no sources' }),
    ];
    const { driver, args } = input(
      fakePort({
        send: async () => ({ kind: 'task', task: snapshot('TASK_STATE_SUBMITTED') }),
        getTask: async () => {
          const next = answers.shift()!;
          if (next instanceof Error) throw next;
          return next;
        },
      }),
      'poll',
    );
    expect(await driver.drive(args)).toMatchObject({
      state: 'TASK_STATE_FAILED',
      text: 'no sources',
    });
    expect(statuses.map((s) => `${s.state}:${s.text ?? ''}`)).toEqual([
      'TASK_STATE_SUBMITTED:',
      'TASK_STATE_WORKING:reading',
      'TASK_STATE_FAILED:no sources',
    ]);
  });

  it('in push mode sends the push target and reads the task only when the agent notifies', async () => {
    const log: string[] = [];
    let notify: (() => void) | undefined;
    const waits: number[] = [];
    const push: PushWaiter = {
      target: { url: 'https://sb.example/a2a/notifications/d1', token: 'tok' },
      notifications: 0,
      next: (ms) => {
        waits.push(ms);
        log.push('wait');
        return new Promise((resolve) => (notify = () => resolve('notified')));
      },
      close: () => undefined,
    };
    const states = ['TASK_STATE_WORKING', 'TASK_STATE_COMPLETED'];
    const port = fakePort({
      send: async (_c, _m, opts) => {
        log.push(`send ${opts.push?.url} ${String(opts.returnImmediately)}`);
        return { kind: 'task', task: snapshot('TASK_STATE_SUBMITTED') };
      },
      getTask: async () => {
        log.push('get');
        return snapshot(states.shift()!);
      },
    });
    const { driver, args } = input(port, 'push');
    const done = driver.drive({ ...args, push });
    // Nothing is read before a notification: the driver only waits.
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['send https://sb.example/a2a/notifications/d1 true', 'wait']);
    notify!();
    await new Promise((r) => setImmediate(r));
    expect(log.slice(2)).toEqual(['get', 'wait']);
    notify!();
    expect((await done).state).toBe('TASK_STATE_COMPLETED');
    expect(log.filter((l) => l === 'get')).toHaveLength(2);
    // Each wait is bounded by the safety interval (a notification lost delays, never stalls).
    expect(waits).toEqual([60_000, 60_000]);
  });

  it('treats a direct message answer as a completed exchange', async () => {
    const { driver, args } = input(
      fakePort({ send: async () => ({ kind: 'message', contextId: 'c9', text: 'hello' }) }),
      'poll',
    );
    expect(await driver.drive(args)).toEqual({
      state: 'TASK_STATE_COMPLETED',
      remoteTaskId: undefined,
      contextId: 'c9',
      text: 'hello',
      artifacts: [],
    });
  });

  it('never lets a failure after the remote task exists be retried', async () => {
    const { driver, args } = input(
      fakePort({
        send: async () => ({ kind: 'task', task: snapshot('TASK_STATE_WORKING') }),
        getTask: async () => {
          throw new DomainError('UPSTREAM_UNAVAILABLE', 'HTTP 503', { retryable: true });
        },
      }),
      'poll',
    );
    const error = (await driver.drive(args).catch((e: unknown) => e)) as DomainError;
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    // Retryable for the caller, never resent here: the remote task it names exists.
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ remoteTaskId: 't1' });
    expect(isTransient(error)).toBe(false);
  });

  it('stops polling as soon as the delegation is cancelled once the remote task is known', async () => {
    const run = new DelegationRun('d1', 'task1', 'researcher', 'default');
    const { driver, args } = input(
      fakePort({
        send: async () => ({ kind: 'task', task: snapshot('TASK_STATE_WORKING') }),
        getTask: async () => {
          run.cancel(new DomainError('CANCELLED', 'stop'));
          return snapshot('TASK_STATE_WORKING');
        },
      }),
      'poll',
      run,
    );
    await expect(driver.drive(args)).rejects.toMatchObject({ code: 'CANCELLED' });
    run.dispose();
  });

  it('ends on the agent asking for input, with its question as the text (not its artifacts)', async () => {
    const { driver, args } = input(
      fakePort({
        send: async () => ({ kind: 'task', task: snapshot('TASK_STATE_WORKING') }),
        getTask: async () =>
          snapshot('TASK_STATE_INPUT_REQUIRED', {
            statusText: 'Pay invoice 42 of 1200 EUR?',
            artifacts: [{ artifactId: 'draft', parts: [{ text: 'draft payment' }] }],
          }),
      }),
      'poll',
    );
    expect(await driver.drive(args)).toMatchObject({
      state: 'TASK_STATE_INPUT_REQUIRED',
      remoteTaskId: 't1',
      contextId: 'c1',
      text: 'Pay invoice 42 of 1200 EUR?',
    });
  });

  it('sends a reply on the agent task and drives it on past the question it answers', async () => {
    const sent: unknown[] = [];
    const answers = [
      snapshot('TASK_STATE_INPUT_REQUIRED', { statusText: 'Pay invoice 42?' }),
      snapshot('TASK_STATE_WORKING'),
      snapshot('TASK_STATE_COMPLETED', {
        artifacts: [{ artifactId: 'r', parts: [{ text: 'paid' }] }],
      }),
    ];
    const { driver, args } = input(
      fakePort({
        // The agent has not taken the reply up yet: the stored task still shows the question.
        send: async (_c, m) => {
          sent.push(m);
          return { kind: 'task', task: snapshot('TASK_STATE_INPUT_REQUIRED') };
        },
        getTask: async () => answers.shift()!,
      }),
      'poll',
    );
    const reply = { ...message, text: 'yes', onTask: { taskId: 't1', contextId: 'c1' } };
    expect(await driver.drive({ ...args, message: reply })).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      remoteTaskId: 't1',
      text: 'paid',
    });
    expect(sent).toEqual([reply]);
    expect(answers).toEqual([]);
  });

  it('ends on a second question once the agent took the reply up', async () => {
    const answers = [
      snapshot('TASK_STATE_WORKING'),
      snapshot('TASK_STATE_INPUT_REQUIRED', { statusText: 'And invoice 43?' }),
    ];
    const { driver, args } = input(
      fakePort({
        send: async () => ({ kind: 'task', task: snapshot('TASK_STATE_INPUT_REQUIRED') }),
        getTask: async () => answers.shift()!,
      }),
      'poll',
    );
    const reply = { ...message, text: 'yes', onTask: { taskId: 't1', contextId: 'c1' } };
    expect(await driver.drive({ ...args, message: reply })).toMatchObject({
      state: 'TASK_STATE_INPUT_REQUIRED',
      text: 'And invoice 43?',
    });
  });
});
