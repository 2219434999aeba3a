import { describe, expect, it } from '@jest/globals';
import { DomainError, ErrorCode } from '@switchboard/contracts';
import { MessagingTimeoutError, NoRespondersError } from '@switchboard/messaging';
import { errorHeaders, toEnvelope } from './error-envelope.js';
import { STATUS_OF } from './error-status.js';

describe('the error envelope', () => {
  it('has a status for every code, timeouts 504 and missing services 503', () => {
    for (const code of ErrorCode.options) expect(STATUS_OF[code]).toBeGreaterThanOrEqual(400);
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
});
