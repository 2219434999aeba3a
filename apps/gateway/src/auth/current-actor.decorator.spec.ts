import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { requestActor, setActor } from './current-actor.decorator.js';

describe(requestActor.name, () => {
  it('answers the caller AuthGuard set on the request', () => {
    const request = {} as FastifyRequest;
    const actor = { userId: 'alice', role: 'user', tenantId: 'acme' } as Actor;
    setActor(request, actor);
    expect(requestActor(request)).toBe(actor);
  });

  it('refuses a request no guard authenticated as UNAUTHORIZED', () => {
    let thrown: unknown;
    try {
      requestActor({} as FastifyRequest);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('UNAUTHORIZED');
    expect((thrown as DomainError).message).toBe('not authenticated');
  });
});
