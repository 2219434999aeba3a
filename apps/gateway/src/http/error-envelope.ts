import { type Gateway, isDomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { FAILED_TASK_STATUS_OF, STATUS_OF } from './error-status.js';
import { requestIdOf } from './request-id.js';
import { TaskOutcomeError } from './task-outcome.errors.js';

/** The one JSON error body of the gateway (contracts: Gateway.ErrorEnvelope). */
type ErrorEnvelope = Gateway.ErrorEnvelope;

interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
  getStatus?: () => number;
  getResponse?: () => unknown;
}

/**
 * Maps anything thrown while serving a request to (status, envelope). Framework errors (malformed
 * JSON, oversized body, unknown route, wrong media type, malformed URL) become the platform's codes;
 * unexpected errors become INTERNAL with an errorId and no internal message.
 */
export function toEnvelope(
  e: unknown,
  requestId: string,
): { status: number; body: ErrorEnvelope; unexpected: boolean } {
  if (isDomainError(e)) {
    return {
      status: e instanceof TaskOutcomeError ? FAILED_TASK_STATUS_OF[e.code] : STATUS_OF[e.code],
      body: {
        code: e.code,
        message: e.message,
        ...(e.details ? { details: e.details } : {}),
        requestId,
      },
      unexpected: false,
    };
  }
  const fe = (e ?? {}) as FrameworkError;
  const status =
    fe.statusCode ?? fe.status ?? (typeof fe.getStatus === 'function' ? fe.getStatus() : undefined);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const mapped = frameworkError(status, fe);
    return {
      status: STATUS_OF[mapped.code],
      body: { code: mapped.code, message: mapped.message, requestId },
      unexpected: false,
    };
  }
  const errorId = randomUUID();
  return {
    status: 500,
    body: {
      code: 'INTERNAL',
      message: `internal error (errorId ${errorId})`,
      details: { errorId },
      requestId,
    },
    unexpected: true,
  };
}

/** Headers that go with an error: Retry-After on 429 (and retryable 503), WWW-Authenticate on 401. */
export function errorHeaders(status: number, body: ErrorEnvelope): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = body.details?.['retryAfterSeconds'];
  if (status === 429)
    headers['retry-after'] = String(typeof retryAfter === 'number' ? retryAfter : 1);
  if (status === 503) headers['retry-after'] = '5';
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="switchboard"';
  return headers;
}

/**
 * Sends `exception` as the envelope with its status, X-Request-Id and the error's headers; the one
 * writer of error answers (the exception filter and the router's own errors both use it).
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  exception: unknown,
): ReturnType<typeof toEnvelope> {
  const requestId = requestIdOf(request);
  const answer = toEnvelope(exception, requestId);
  const { status, body } = answer;
  void reply.header('x-request-id', requestId);
  for (const [name, value] of Object.entries(errorHeaders(status, body)))
    void reply.header(name, value);
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  return answer;
}

type Answer = { code: Gateway.HttpErrorCode; message: string };

/** Fastify's errors by their code, each as what the caller has to change. */
const FASTIFY_ERRORS: ReadonlyMap<string, Answer> = new Map<string, Answer>([
  [
    'FST_ERR_CTP_BODY_TOO_LARGE',
    { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' },
  ],
  [
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'request body must be JSON: send it with Content-Type: application/json',
    },
  ],
  [
    'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
    { code: 'VALIDATION', message: 'request body does not match its Content-Length' },
  ],
  [
    'FST_ERR_BAD_URL',
    { code: 'VALIDATION', message: 'the URL path is malformed (invalid percent-encoding)' },
  ],
  ['FST_ERR_MAX_PARAM_LENGTH', { code: 'VALIDATION', message: 'a path parameter is too long' }],
]);

/** A framework error as a code and a message that says what to change. */
function frameworkError(status: number, fe: FrameworkError): Answer {
  const message = fe.message ?? '';
  const known = fe.code === undefined ? undefined : FASTIFY_ERRORS.get(fe.code);
  if (known) return { ...known };
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' };
  if (status === 415)
    return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be application/json' };
  // Nest answers an unknown route, or a known path with another method, with 404.
  if (status === 404 || status === 405)
    return { code: 'NOT_FOUND', message: message || 'no such route' };
  if (status === 401) return { code: 'UNAUTHORIZED', message: message || 'unauthorized' };
  if (status === 403) return { code: 'FORBIDDEN', message: message || 'forbidden' };
  return { code: 'VALIDATION', message: message || 'bad request' };
}
