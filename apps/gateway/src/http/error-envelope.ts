import { DomainError, type ErrorCode, isDomainError } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { STATUS_OF } from './error-status.js';

/** The one JSON error body of the gateway. */
export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
}

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
 * JSON, oversized body, unknown route, wrong media type) become the platform's codes; unexpected errors
 * become INTERNAL with an errorId and no internal message.
 */
export function toEnvelope(
  e: unknown,
  requestId: string,
): { status: number; body: ErrorEnvelope; unexpected: boolean } {
  if (isDomainError(e)) {
    return {
      status: STATUS_OF[e.code],
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

function frameworkError(status: number, fe: FrameworkError): DomainError {
  const message = fe.message ?? '';
  if (status === 413 || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new DomainError('PAYLOAD_TOO_LARGE', 'request body is too large');
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return new DomainError('VALIDATION', 'Content-Type must be application/json');
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new DomainError('VALIDATION', 'request body is empty');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(message)) {
    return new DomainError(
      'VALIDATION',
      `request body is not valid JSON: ${message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'/, '').trim() || 'parse error'}`,
    );
  }
  if (status === 404) return new DomainError('NOT_FOUND', message || 'not found');
  if (status === 405) return new DomainError('NOT_FOUND', 'method not allowed on this path');
  if (status === 401) return new DomainError('UNAUTHORIZED', message || 'unauthorized');
  if (status === 403) return new DomainError('FORBIDDEN', message || 'forbidden');
  return new DomainError('VALIDATION', message || 'bad request');
}
