import { describe, expect, it } from '@jest/globals';
import { DomainError, ErrorCode, Gateway } from '@switchboard/contracts';
import { MessagingTimeoutError, NoRespondersError } from '@switchboard/messaging';
import { errorHeaders, toEnvelope } from './error-envelope.js';
import { STATUS_OF } from './error-status.js';
import { TaskOutcomeError } from './task-outcome.errors.js';

const { HttpErrorCode } = Gateway;

describe('the error envelope', () => {
  it('has a status for every code, timeouts 504 and missing services 503', () => {
    for (const code of HttpErrorCode.options) expect(STATUS_OF[code]).toBeGreaterThanOrEqual(400);
    expect(HttpErrorCode.options).toEqual(expect.arrayContaining(ErrorCode.options));
    expect(toEnvelope(new MessagingTimeoutError('sb.cmd.x', 5), 'r1').status).toBe(504);
    expect(toEnvelope(new NoRespondersError('sb.cmd.x', 'orchestrator'), 'r1').status).toBe(503);
  });

  it('maps framework errors and hides unexpected ones', () => {
    expect(toEnvelope({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, 'r').body.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(
      toEnvelope(
        { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'Unexpected token' },
        'r',
      ).body,
    ).toMatchObject({ code: 'VALIDATION', requestId: 'r' });
    const hidden = toEnvelope(new Error('secret db password in here'), 'r');
    expect(hidden.status).toBe(500);
    expect(hidden.body.message).not.toContain('password');
  });

  it('adds Retry-After to 429 and 503, WWW-Authenticate to 401', () => {
    const limited = toEnvelope(
      new DomainError('RATE_LIMITED', 'slow down', { details: { retryAfterSeconds: 7 } }),
      'r',
    );
    expect(errorHeaders(limited.status, limited.body)).toEqual({ 'retry-after': '7' });
    expect(
      errorHeaders(503, { code: 'UPSTREAM_UNAVAILABLE', message: '', requestId: 'r' }),
    ).toEqual({ 'retry-after': '5' });
    expect(
      errorHeaders(401, { code: 'UNAUTHORIZED', message: '', requestId: 'r' })['www-authenticate'],
    ).toMatch(/^Bearer/);
  });

  it('answers router, media-type and body errors with the platform codes and a clear message', () => {
    const envelope = (e: unknown) => {
      const { status, body } = toEnvelope(e, 'r');
      return { status, code: body.code, message: body.message, requestId: body.requestId };
    };
    expect(envelope({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringMatching(/Content-Type: application\/json/),
      requestId: 'r',
    });
    expect(envelope({ statusCode: 400, code: 'FST_ERR_BAD_URL', message: "'/x/%zz' is…" })).toEqual(
      {
        status: 400,
        code: 'VALIDATION',
        message: expect.stringMatching(/percent-encoding/),
        requestId: 'r',
      },
    );
    expect(envelope({ statusCode: 414, code: 'FST_ERR_MAX_PARAM_LENGTH' })).toMatchObject({
      status: 400,
      code: 'VALIDATION',
      message: 'a path parameter is too long',
    });
    expect(
      envelope({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', message: 'x' }),
    ).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/Content-Length/) });
    // Only Fastify's own codes are looked up: a code that is a property name of every object is not.
    expect(envelope({ statusCode: 415, code: 'constructor', message: '' })).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'request body must be application/json',
    });
    expect(envelope({ status: 404, message: 'Cannot PATCH /tools' })).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    // A body error raised by the shared JSON parser is a DomainError and keeps its message.
    expect(
      envelope(new DomainError('VALIDATION', 'request body must not contain the key "__proto__"')),
    ).toMatchObject({ status: 400, message: expect.stringContaining('__proto__') });
  });

  it('reports a task that failed with its own code, 422 for input and lookup failures', () => {
    const failed = (code: ErrorCode) =>
      toEnvelope(new TaskOutcomeError(code, 'x', { details: { task_id: 't' } }), 'r').status;
    expect(failed('VALIDATION')).toBe(422);
    expect(failed('NOT_FOUND')).toBe(422);
    expect(failed('GUARDRAIL')).toBe(422);
    expect(failed('CANCELLED')).toBe(409);
    expect(failed('TIMEOUT')).toBe(504);
    expect(failed('UPSTREAM_UNAVAILABLE')).toBe(503);
    // The same codes of a refused request keep the one table's status.
    expect(toEnvelope(new DomainError('VALIDATION', 'x'), 'r').status).toBe(400);
    expect(toEnvelope(new DomainError('NOT_FOUND', 'x'), 'r').status).toBe(404);
  });
});
