import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: a well-formed X-Request-Id from the caller, else a new one (kept per request). */
export function requestIdOf(request: FastifyRequest): string {
  const r = request as FastifyRequest & { sbRequestId?: string };
  if (!r.sbRequestId) {
    const given = request.headers['x-request-id'];
    r.sbRequestId = typeof given === 'string' && SAFE.test(given) ? given : randomUUID();
  }
  return r.sbRequestId;
}
