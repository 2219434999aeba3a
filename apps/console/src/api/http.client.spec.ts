import { describe, expect, it } from '@jest/globals';
import { errorOf } from './http.client';

const response = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe(errorOf.name, () => {
  it("keeps the envelope's details (the quota of a 429, the fields of a 400)", async () => {
    const details = {
      quota: 'concurrentTasks',
      scope: 'tenant',
      tenantId: 'acme',
      limit: 1,
      used: 1,
      retryAfterSeconds: 5,
    };
    const e = await errorOf(
      response(429, {
        code: 'RATE_LIMITED',
        message: 'quota concurrentTasks …',
        details,
        requestId: 'r1',
      }),
    );
    expect(e).toMatchObject({ status: 429, code: 'RATE_LIMITED', requestId: 'r1', details });
    expect(e.line).toBe('quota concurrentTasks … (RATE_LIMITED, HTTP 429, request r1)');
  });

  it('has no details when the envelope has none, or when the answer is no envelope', async () => {
    expect(
      (await errorOf(response(403, { code: 'FORBIDDEN', message: 'no' }))).details,
    ).toBeUndefined();
    expect(
      (await errorOf(response(400, { code: 'X', message: 'm', details: [1] }))).details,
    ).toBeUndefined();
    const e = await errorOf(response(502, 'Bad Gateway', { 'x-request-id': 'r2' }));
    expect(e).toMatchObject({ status: 502, code: 'HTTP_502', requestId: 'r2', details: undefined });
  });
});
