import { describe, expect, it, jest } from '@jest/globals';
import { fakeGateway, json, refused } from '../../test/fake-gateway.js';
import { SwitchboardClient } from '../client.js';
import {
  ApiError,
  ConnectionError,
  RateLimitedError,
  RequestTimeoutError,
  TaskFailedError,
  ValidationError,
} from './errors.js';
import type { CallLog } from './transport.js';

const TASK = '7f3a0e6c-1b2d-4c5e-8f90-a1b2c3d4e5f6';
const client = (answers: Parameters<typeof fakeGateway>[0], options: object = {}) => {
  const gw = fakeGateway(answers);
  return {
    gw,
    sut: new SwitchboardClient({
      baseUrl: 'http://gateway.test/prefix',
      dev: { userId: 'ada' },
      fetch: gw.fetch,
      retry: { initialDelayMs: 1, maxDelayMs: 50 },
      ...options,
    }),
  };
};

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('the call did not fail');
}

describe('errors as values', () => {
  it('a 400 VALIDATION names its field and every issue', async () => {
    const { sut } = client([
      json(400, {
        code: 'VALIDATION',
        message: 'invalid request body: task: must not be empty',
        details: { issues: [{ path: 'task', message: 'must not be empty' }] },
        requestId: 'r-1',
      }),
    ]);
    const e = await rejection(sut.tasks.run({ task: '' }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toMatchObject({ code: 'VALIDATION', status: 400, field: 'task', requestId: 'r-1' });
    expect((e as ValidationError).issues).toEqual([{ path: 'task', message: 'must not be empty' }]);
  });

  it('a 429 carries its Retry-After and which limit it was, a quota with the quota', async () => {
    const quota = {
      quota: 'concurrentTasks',
      scope: 'tenant',
      tenantId: 'acme',
      limit: 1,
      used: 1,
      retryAfterSeconds: 5,
    };
    const { sut } = client([
      json(
        429,
        {
          code: 'RATE_LIMITED',
          message: 'too many streams',
          details: { limit: 'streams', retryAfterSeconds: 3 },
          requestId: 'r',
        },
        { 'retry-after': '3' },
      ),
      json(
        429,
        { code: 'RATE_LIMITED', message: 'quota', details: quota, requestId: 'r' },
        { 'retry-after': '5' },
      ),
    ]);
    const streams = await rejection(sut.tasks.list());
    expect(streams).toBeInstanceOf(RateLimitedError);
    expect(streams).toMatchObject({
      status: 429,
      retryAfterMs: 3000,
      limit: 'streams',
      retryable: true,
    });
    const byQuota = (await rejection(sut.tasks.submit({ task: 'x' }))) as RateLimitedError;
    expect(byQuota.limit).toBe('concurrentTasks');
    expect(byQuota.quota).toEqual(quota);
  });

  it("a task that failed after it was accepted is a TaskFailedError with the task's own code", async () => {
    const { sut } = client([
      json(422, {
        code: 'GUARDRAIL',
        message: 'blocked',
        details: { task_id: TASK, status: 'failed', links: {} },
        requestId: 'r',
      }),
    ]);
    const e = await rejection(sut.tasks.run({ task: 'x' }));
    expect(e).toBeInstanceOf(TaskFailedError);
    expect(e).toMatchObject({ code: 'GUARDRAIL', taskId: TASK, taskStatus: 'failed' });
  });

  it('an answer without the envelope (a proxy) still says its status, and the request id from its header', async () => {
    const { sut } = client([
      new Response('<html>bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'x-request-id': 'px-9' },
      }),
    ]);
    const e = await rejection(sut.tasks.get(TASK));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      code: 'HTTP_502',
      message: 'Bad Gateway',
      requestId: 'px-9',
      path: `/tasks/${TASK}`,
    });
  });
});

describe('retries: only of calls that may be repeated', () => {
  it('a read is tried again after no answer and after a 503 with its Retry-After', async () => {
    const page = { tasks: [] };
    const { sut, gw } = client([
      refused(),
      json(
        503,
        { code: 'UPSTREAM_UNAVAILABLE', message: 'no orchestrator', requestId: 'r' },
        { 'retry-after': '0' },
      ),
      json(200, page),
    ]);
    expect(await sut.tasks.list({ status: ['completed', 'failed'], limit: 5 })).toEqual(page);
    expect(gw.seen).toHaveLength(3);
    expect(gw.seen[2]!.url.search).toBe('?status=completed%2Cfailed&limit=5');
  });

  it('a read told `retries: 0` is sent once (a view that polls anyway shows an outage at once)', async () => {
    const { sut, gw } = client([
      json(
        503,
        { code: 'UPSTREAM_UNAVAILABLE', message: 'NATS away', requestId: 'r' },
        { 'retry-after': '0' },
      ),
      json(200, { services: [] }),
    ]);
    await expect(sut.admin.services({ retries: 0 })).rejects.toMatchObject({ status: 503 });
    expect(gw.seen).toHaveLength(1);
  });

  it('a task submission is sent once: after no answer it fails, it is not sent again', async () => {
    const { sut, gw } = client([refused(), json(200, {})]);
    const e = await rejection(sut.tasks.run({ task: 'what is 6 * 7' }));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(gw.seen).toHaveLength(1);
  });

  it('cancelling, harmless to repeat, is tried again', async () => {
    const answer = { taskId: TASK, status: 'running', cancelRequested: true };
    const { sut, gw } = client([refused(), json(202, answer)]);
    expect(await sut.tasks.cancel(TASK, 'enough')).toEqual(answer);
    expect(gw.seen.map((r) => r.body)).toEqual([{ reason: 'enough' }, { reason: 'enough' }]);
  });

  it('a 429 is never retried, nor a 503 whose Retry-After is past the longest pause', async () => {
    const { sut, gw } = client([
      json(
        429,
        { code: 'RATE_LIMITED', message: 'slow down', requestId: 'r' },
        { 'retry-after': '1' },
      ),
      json(
        503,
        { code: 'UPSTREAM_UNAVAILABLE', message: 'later', requestId: 'r' },
        { 'retry-after': '60' },
      ),
    ]);
    await expect(sut.tasks.list()).rejects.toBeInstanceOf(RateLimitedError);
    await expect(sut.tasks.list()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfterMs: 60_000,
    });
    expect(gw.seen).toHaveLength(2);
  });
});

describe('authentication', () => {
  it('asks the token function before each call, and again (refresh) after a 401, once', async () => {
    const tokens = ['old-token', 'new-token'];
    const token = jest.fn(({ refresh }: { refresh: boolean }) => (refresh ? tokens[1] : tokens[0]));
    const unauthorized = jest.fn();
    const { sut, gw } = client(
      [
        json(401, { code: 'UNAUTHORIZED', message: 'token expired', requestId: 'r' }),
        json(200, { task_id: TASK, status: 'queued', links: {} }),
        json(401, { code: 'UNAUTHORIZED', message: 'token expired', requestId: 'r' }),
        json(401, { code: 'UNAUTHORIZED', message: 'still refused', requestId: 'r' }),
      ],
      { dev: undefined, token, onUnauthorized: unauthorized },
    );
    // A submission too: nothing ran on a 401, so sending it again with the new token is safe.
    await sut.tasks.submit({ task: 'x' });
    expect(gw.seen.map((r) => r.headers['authorization'])).toEqual([
      'Bearer old-token',
      'Bearer new-token',
    ]);
    expect(token.mock.calls.map(([c]) => c.refresh)).toEqual([false, true]);
    await expect(sut.tasks.submit({ task: 'x' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'still refused',
    });
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  it('a fixed token refused is not sent again; the dev headers name the user, role and tenant', async () => {
    const { sut, gw } = client(
      [json(401, { code: 'UNAUTHORIZED', message: 'no', requestId: 'r' }), json(200, {})],
      {
        token: 'fixed',
        dev: { userId: 'root', role: 'admin', tenantId: 'acme' },
      },
    );
    await expect(sut.me()).rejects.toMatchObject({ status: 401 });
    expect(gw.seen).toHaveLength(1);
    expect(gw.seen[0]!.headers).toMatchObject({
      'x-user-id': 'root',
      'x-user-role': 'admin',
      'x-tenant-id': 'acme',
      authorization: 'Bearer fixed',
    });
  });

  it('nothing secret in what it throws or logs: no token, no header, no query string', async () => {
    const secret = 'sk-very-secret-token';
    const entries: CallLog[] = [];
    const { sut } = client(
      [
        Object.assign(new TypeError('fetch failed'), {
          request: { headers: { authorization: `Bearer ${secret}` } },
        }),
        json(403, { code: 'FORBIDDEN', message: 'admins only', requestId: 'r' }),
      ],
      { token: secret, headers: { 'x-proxy-key': secret }, log: (e: CallLog) => entries.push(e) },
    );
    const errors = [
      await rejection(sut.tasks.run({ task: 'x' })),
      await rejection(sut.admin.audit({ user_id: secret })),
    ];
    for (const e of errors) {
      const shown = [
        String(e),
        JSON.stringify(e),
        String((e as Error).cause),
        (e as Error).stack,
      ].join('\n');
      expect(shown).not.toContain(secret);
    }
    expect(entries.map((e) => e.path)).toEqual(['/orchestrate', '/audit']);
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(() => new SwitchboardClient({ baseUrl: `http://u:${secret}@gateway.test` })).toThrow(
      /credentials/,
    );
  });
});

describe('time limits and cancellation', () => {
  // What fetch does with a signal: rejects with its reason once it aborts (at once if it has).
  const hang = (_r: unknown, signal: AbortSignal | undefined) =>
    new Promise<Response>((_, reject) => {
      if (signal?.aborted) reject(signal.reason as Error);
      signal?.addEventListener('abort', () => reject(signal.reason as Error));
    });

  it("a call past its timeoutMs fails with RequestTimeoutError; the caller's abort rejects with its reason", async () => {
    const { sut } = client([hang, hang], { retry: { retries: 0 } });
    await expect(sut.tasks.get(TASK, { timeoutMs: 20 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
    const ac = new AbortController();
    const pending = sut.tasks.get(TASK, { signal: ac.signal, timeoutMs: 0 });
    const reason = new Error('user left');
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('keeps a base path prefix and encodes path parts', async () => {
    const { sut, gw } = client([json(200, { approvals: [] })]);
    await sut.approvals.ofTask('a/b?c', { status: 'approved' });
    expect(gw.seen[0]!.url.href).toBe(
      'http://gateway.test/prefix/tasks/a%2Fb%3Fc/approvals?status=approved',
    );
  });
});
