import { DomainError } from '@switchboard/contracts';
import { errors } from '@nats-io/transport-node';
import { decodeJson, encodeJson, unwrapEnvelope } from './codec.js';
import { buildHeaders, readMeta } from './message-meta.js';
import { fromNatsRequestError, toErrorBody } from './messaging.errors.js';

describe('codec', () => {
  it('round-trips JSON and unwraps the Nest envelope, leaving foreign payloads as they are', () => {
    expect(decodeJson(encodeJson({ a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    expect(unwrapEnvelope({ pattern: 'p', data: { x: 1 } })).toEqual({ x: 1 });
    expect(unwrapEnvelope({ x: 1 })).toEqual({ x: 1 });
  });
});

describe('headers', () => {
  it('carries correlation id, source and actor, and reads them back', () => {
    const h = buildHeaders('gateway', {
      actor: { userId: 'ann', role: 'admin' },
      correlationId: 'c1',
    });
    expect(readMeta('sb.cmd.x', h)).toEqual({
      subject: 'sb.cmd.x',
      correlationId: 'c1',
      actor: { userId: 'ann', role: 'admin' },
    });
    expect(h.get('x-sb-source')).toBe('gateway');
  });

  it("carries the actor's tenant, and drops the actor when the tenant header does not validate", () => {
    const h = buildHeaders('gateway', {
      actor: { userId: 'ann', role: 'admin', tenantId: 'acme' },
    });
    expect(h.get('x-sb-tenant-id')).toBe('acme');
    expect(readMeta('s', h).actor).toEqual({ userId: 'ann', role: 'admin', tenantId: 'acme' });
    const forged = buildHeaders('gateway', { actor: { userId: 'ann', role: 'admin' } });
    forged.set('x-sb-tenant-id', 'acme.*');
    expect(readMeta('s', forged).actor).toBeUndefined();
  });

  it('ignores an actor header that does not validate, and invents a correlation id when missing', () => {
    const h = buildHeaders('gateway', { actor: { userId: 'bad user!', role: 'User Role' } });
    const meta = readMeta('s', h);
    expect(meta.actor).toBeUndefined();
    expect(meta.correlationId).toMatch(/.+/);
    expect(readMeta('s', undefined).correlationId).toMatch(/.+/);
  });
});

describe('error mapping', () => {
  it('maps NATS client errors to the platform vocabulary', () => {
    expect(fromNatsRequestError(new errors.TimeoutError(), 's', 'svc', 5).code).toBe('TIMEOUT');
    expect(fromNatsRequestError(new errors.NoRespondersError('s'), 's', 'svc', 5).code).toBe(
      'UPSTREAM_UNAVAILABLE',
    );
    expect(
      fromNatsRequestError(
        new errors.RequestError('x', { cause: new errors.NoRespondersError('s') }),
        's',
        'svc',
        5,
      ).code,
    ).toBe('UPSTREAM_UNAVAILABLE');
    expect(fromNatsRequestError(new errors.ClosedConnectionError(), 's', 'svc', 5).retryable).toBe(
      true,
    );
  });

  it('maps a request the NATS server refused to this identity to FORBIDDEN, never retried', () => {
    const refused = errors.PermissionViolationError.parse(
      'Permissions Violation for Publish to "sb.cmd.audit.query"',
    );
    const e = fromNatsRequestError(
      new errors.RequestError(refused!.message, { cause: refused }),
      'sb.cmd.audit.query',
      'audit',
      5,
    );
    expect(e).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    expect(e.message).toContain('sb.cmd.audit.query');
  });

  it('serializes domain errors as they are and unexpected ones without their message', () => {
    expect(
      toErrorBody(new DomainError('NOT_FOUND', 'gone', { details: { id: 1 } }), 'c').body,
    ).toEqual({
      code: 'NOT_FOUND',
      message: 'gone',
      details: { id: 1 },
      correlationId: 'c',
      retryable: false,
    });
    const { body, unexpected } = toErrorBody(new Error('password=hunter2'));
    expect(unexpected).toBe(true);
    expect(body.code).toBe('INTERNAL');
    expect(body.message).not.toContain('hunter2');
    expect(body.message).toContain(body.errorId);
  });
});
