import { jest } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { createLogger, Metrics } from '@switchboard/observability';
import { A2aEnv } from '../config/a2a.env.js';
import { A2aMetrics } from './a2a.metrics.js';
import { AgentResilience, BRIDGE_COMPONENT, type RetryNotice } from './agent-resilience.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });

// Failures as the transport reports them (agent-http.service.ts, a2a-remote.client.ts).
const http503 = () =>
  new DomainError('UPSTREAM_UNAVAILABLE', 'researcher.example answered HTTP 503', {
    retryable: true,
    details: { status: 503, transport: 'http' },
  });
const connectionReset = () =>
  new DomainError('UPSTREAM_UNAVAILABLE', 'cannot reach researcher.example: ECONNRESET', {
    retryable: true,
    details: { transport: 'http' },
  });
const cardTimeout = () =>
  new DomainError('TIMEOUT', 'the agent card of researcher did not arrive within 5000 ms', {
    retryable: true,
  });

// The platform's own bridge out of reach (agent-http.service.ts' bridgeFailure).
const bridgeDown = (details: Record<string, unknown> = {}) =>
  new DomainError(
    'UPSTREAM_UNAVAILABLE',
    'via XMPP to researcher.example: xmpp-bridge is not available (no responders on sb.cmd.xmpp.http.stream)',
    { retryable: true, details: { transport: 'xmpp', component: BRIDGE_COMPONENT, ...details } },
  );

function setup(env: Record<string, string> = {}) {
  const config = A2aEnv.parse({
    A2A_RETRY_MAX_ATTEMPTS: '4',
    A2A_RETRY_BASE_MS: '100',
    A2A_RETRY_MAX_MS: '10000',
    A2A_BREAKER_THRESHOLD: '10',
    A2A_BREAKER_HALF_OPEN_MS: '30000',
    ...env,
  });
  const metrics = new A2aMetrics(new Metrics('a2a', 'test'));
  const notices: RetryNotice[] = [];
  const sut = new AgentResilience(config, logger, metrics);
  const run = <T>(agent: string, fn: (attempt: number) => Promise<T>) =>
    sut.execute(agent, fn, {
      signal: new AbortController().signal,
      onRetry: (n) => notices.push(n),
    });
  return { sut, metrics, notices, run };
}

/** An agent call answering from a script (errors are thrown), recording each attempt number. */
function scripted<T>(...answers: (T | Error)[]) {
  const calls: number[] = [];
  const fn = async (attempt: number): Promise<T> => {
    calls.push(attempt);
    if (answers.length === 0) throw new Error('no scripted answer left');
    const next = answers.shift() as T | Error;
    if (next instanceof Error) throw next;
    return next;
  };
  return { fn, calls };
}

describe(AgentResilience.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it.each([
    ['an HTTP 503', http503],
    ['a connection reset', connectionReset],
    ['a timeout', cardTimeout],
  ])('retries %s and returns the success that follows', async (_, failure) => {
    const { run, notices, metrics } = setup();
    const agent = scripted<string>(failure(), failure(), 'done');
    const result = run('researcher', agent.fn);
    await jest.runAllTimersAsync();
    await expect(result).resolves.toBe('done');
    expect(agent.calls).toEqual([1, 2, 3]);
    expect(notices.map((n) => [n.attempt, n.reason])).toEqual([
      [1, failure().message],
      [2, failure().message],
    ]);
    expect((await metrics.retries.get()).values).toEqual([
      expect.objectContaining({ labels: { agent: 'researcher' }, value: 2 }),
    ]);
  });

  it('gives up after A2A_RETRY_MAX_ATTEMPTS attempts with the last transient error', async () => {
    const { run } = setup({ A2A_RETRY_MAX_ATTEMPTS: '3' });
    const last = http503();
    const agent = scripted<string>(http503(), http503(), last, 'too late');
    const result = run('researcher', agent.fn);
    const settled = expect(result).rejects.toBe(last);
    await jest.runAllTimersAsync();
    await settled;
    expect(agent.calls).toEqual([1, 2, 3]);
  });

  it.each([
    [
      'a 4xx answer',
      new DomainError('UPSTREAM_ERROR', 'researcher answered HTTP 404', {
        details: { status: 404 },
      }),
    ],
    ['a remote domain error', new DomainError('VALIDATION', 'the agent refused the message')],
    [
      'an UPSTREAM_UNAVAILABLE not marked retryable',
      new DomainError('UPSTREAM_UNAVAILABLE', 'via XMPP to researcher.example: no route'),
    ],
    [
      'a transient failure after the agent created its task (a resend would start a second one)',
      new DomainError('UPSTREAM_UNAVAILABLE', 'the bridge stopped answering', {
        retryable: true,
        details: { remoteTaskId: 't1' },
      }),
    ],
    [
      'a retryable error of another code',
      new DomainError('RATE_LIMITED', 'slow down', { retryable: true }),
    ],
    ['an unexpected error', new TypeError('cannot read properties of undefined')],
  ])('does not retry %s, passes it through unchanged and does not count it', async (_, error) => {
    // Threshold 1: a failure counted by the breaker would open it at once.
    const { run, notices, sut } = setup({ A2A_BREAKER_THRESHOLD: '1' });
    const agent = scripted<string>(error, 'a retry would reach this');
    await expect(run('researcher', agent.fn)).rejects.toBe(error);
    expect(agent.calls).toEqual([1]);
    expect(notices).toEqual([]);
    expect(sut.circuitOf('researcher')).toBe('closed');
  });

  it("waits for the platform's own bridge beyond the agent's attempts, without counting it against the agent", async () => {
    // One attempt for the agent and a breaker that a single counted failure would open.
    const { run, sut, notices } = setup({
      A2A_RETRY_MAX_ATTEMPTS: '1',
      A2A_BREAKER_THRESHOLD: '1',
    });
    const agent = scripted<string>(
      bridgeDown(),
      bridgeDown(),
      bridgeDown({ remoteTaskId: 't1' }),
      bridgeDown(),
      'done',
    );
    const result = run('researcher', agent.fn);
    await jest.runAllTimersAsync();
    await expect(result).resolves.toBe('done');
    expect(agent.calls).toEqual([1, 2, 3, 4, 5]);
    expect(notices).toHaveLength(4);
    expect(sut.circuitOf('researcher')).toBe('closed');
  });

  it('gives up on the bridge A2A_BRIDGE_WAIT_MS after its first failure, with that failure', async () => {
    const { run } = setup({ A2A_BRIDGE_WAIT_MS: '5000' });
    const calls: number[] = [];
    const started = Date.now();
    const result = run('researcher', async (attempt) => {
      calls.push(Date.now() - started);
      throw bridgeDown({ attempt });
    });
    const settled = expect(result).rejects.toMatchObject({
      details: { component: BRIDGE_COMPONENT },
    });
    await jest.runAllTimersAsync();
    await settled;
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toBeLessThanOrEqual(5_000);
  });

  it('opens the breaker after A2A_BREAKER_THRESHOLD consecutive transient failures, then fails fast without calling the agent', async () => {
    const { run, sut, metrics } = setup({
      A2A_RETRY_MAX_ATTEMPTS: '1',
      A2A_BREAKER_THRESHOLD: '3',
    });
    for (let i = 0; i < 3; i++) {
      expect(sut.circuitOf('researcher')).toBe('closed');
      await expect(run('researcher', scripted<string>(http503()).fn)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        message: expect.stringContaining('HTTP 503'),
      });
    }
    expect(sut.circuitOf('researcher')).toBe('open');

    const agent = scripted('never asked');
    const refused = await run('researcher', agent.fn).catch((e: unknown) => e);
    expect(agent.calls).toEqual([]);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringContaining('circuit breaker is open'),
      details: { agent: 'researcher', circuit: 'open' },
    });
    expect((await metrics.circuitOpen.get()).values).toEqual([
      expect.objectContaining({ labels: { agent: 'researcher' }, value: 1 }),
    ]);
    // The breaker is per agent.
    expect(sut.circuitOf('writer')).toBe('closed');
    await expect(run('writer', scripted('ok').fn)).resolves.toBe('ok');
  });

  it('counts only consecutive failures: a success in between starts the count again', async () => {
    const { run, sut } = setup({ A2A_RETRY_MAX_ATTEMPTS: '1', A2A_BREAKER_THRESHOLD: '3' });
    const outcomes = [http503(), http503(), 'ok', http503(), http503()];
    for (const outcome of outcomes) {
      await run('researcher', scripted(outcome).fn).catch(() => undefined);
    }
    expect(sut.circuitOf('researcher')).toBe('closed');
    await run('researcher', scripted<string>(http503()).fn).catch(() => undefined);
    expect(sut.circuitOf('researcher')).toBe('open');
  });

  it('counts each retry toward the breaker, which stops the retries once it opens', async () => {
    const { run, sut } = setup({ A2A_RETRY_MAX_ATTEMPTS: '4', A2A_BREAKER_THRESHOLD: '3' });
    const agent = scripted<string>(http503(), http503(), http503(), 'a fourth attempt');
    const result = run('researcher', agent.fn);
    const settled = expect(result).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { agent: 'researcher', circuit: 'open' },
    });
    await jest.runAllTimersAsync();
    await settled;
    expect(agent.calls).toEqual([1, 2, 3]);
    expect(sut.circuitOf('researcher')).toBe('open');
  });

  it('lets one trial call through after A2A_BREAKER_HALF_OPEN_MS and closes again on its success', async () => {
    const { run, sut } = setup({
      A2A_RETRY_MAX_ATTEMPTS: '1',
      A2A_BREAKER_THRESHOLD: '1',
      A2A_BREAKER_HALF_OPEN_MS: '30000',
    });
    await run('researcher', scripted<string>(http503()).fn).catch(() => undefined);
    jest.advanceTimersByTime(29_999);
    const early = scripted('too early');
    await expect(run('researcher', early.fn)).rejects.toMatchObject({
      details: { circuit: 'open' },
    });
    expect(early.calls).toEqual([]);
    jest.advanceTimersByTime(1);
    const trial = scripted('ok');
    await expect(run('researcher', trial.fn)).resolves.toBe('ok');
    expect(trial.calls).toEqual([1]);
    expect(sut.circuitOf('researcher')).toBe('closed');
  });

  it('waits an exponentially growing delay before each retry, capped at A2A_RETRY_MAX_MS', async () => {
    // Full jitter draws each delay as random() × min(max, base × 2^(retry - 1)); a fixed draw of
    // 0.5 exposes the ceiling: 100, 200, 400, then the 300 ms cap.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const { run, notices } = setup({
      A2A_RETRY_MAX_ATTEMPTS: '5',
      A2A_RETRY_BASE_MS: '100',
      A2A_RETRY_MAX_MS: '300',
    });
    const agent = scripted<string>(http503(), http503(), http503(), http503(), 'done');
    const result = run('researcher', agent.fn);
    for (const delay of [50, 100, 150, 150]) {
      const before = agent.calls.length;
      await jest.advanceTimersByTimeAsync(delay - 1);
      expect(agent.calls).toHaveLength(before);
      await jest.advanceTimersByTimeAsync(1);
      expect(agent.calls).toHaveLength(before + 1);
    }
    await expect(result).resolves.toBe('done');
    expect(notices.map((n) => n.delayMs)).toEqual([50, 100, 150, 150]);
  });

  it('draws each delay at random below its ceiling (full jitter), so delays need not grow', async () => {
    const draws = [0.9, 0.1, 0.6];
    jest.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.5);
    const { run, notices } = setup({ A2A_RETRY_MAX_ATTEMPTS: '4', A2A_RETRY_BASE_MS: '100' });
    const agent = scripted<string>(http503(), http503(), http503(), 'done');
    const result = run('researcher', agent.fn);
    await jest.runAllTimersAsync();
    await expect(result).resolves.toBe('done');
    // Ceilings 100, 200, 400 ms.
    expect(notices.map((n) => n.delayMs)).toEqual([90, 20, 240]);
  });
});
