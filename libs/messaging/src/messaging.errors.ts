import { DomainError, type ErrorBody, isDomainError } from '@switchboard/contracts';
import { errors as natsErrors } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';

/** The caller waited `timeoutMs` and got no answer. */
export class MessagingTimeoutError extends DomainError {
  constructor(subject: string, timeoutMs: number) {
    super('TIMEOUT', `no reply on ${subject} within ${timeoutMs} ms`, {
      details: { subject, timeoutMs },
      retryable: true,
    });
    this.name = 'MessagingTimeoutError';
  }
}

/** Nobody serves the subject: the service is down or not deployed. */
export class NoRespondersError extends DomainError {
  constructor(subject: string, service: string) {
    super('UPSTREAM_UNAVAILABLE', `${service} is not available (no responders on ${subject})`, {
      details: { subject, service },
      retryable: true,
    });
    this.name = 'NoRespondersError';
  }
}

/**
 * The connection to NATS dropped while the reply was awaited: the request may or may not have been
 * handled, and its reply is lost either way (core NATS keeps nothing for a disconnected inbox).
 */
export class ConnectionLostError extends DomainError {
  constructor(subject: string, service: string) {
    super(
      'UPSTREAM_UNAVAILABLE',
      `the NATS connection was lost while waiting for ${service} on ${subject}`,
      {
        details: { subject, service },
        retryable: true,
      },
    );
    this.name = 'ConnectionLostError';
  }
}

/** The connection to NATS stayed down for as long as the request could wait: it was never sent. */
export class DisconnectedError extends DomainError {
  constructor(subject: string, service: string, waitedMs: number) {
    super(
      'UPSTREAM_UNAVAILABLE',
      `NATS is unreachable (disconnected, or not answering): the request to ${service} on ${subject} was not sent (waited ${waitedMs} ms for the connection)`,
      { details: { subject, service, waitedMs }, retryable: true },
    );
    this.name = 'DisconnectedError';
  }
}

/**
 * The responder took the request and then stopped sending its heartbeats (a `liveness: 'heartbeat'`
 * command): its process died or lost NATS, and no reply will come. Whether the work took effect is
 * unknown; a keyed repeat finds out.
 */
export class ResponderSilentError extends DomainError {
  constructor(subject: string, service: string, silentMs: number) {
    super(
      'UPSTREAM_UNAVAILABLE',
      `${service} stopped answering on ${subject}: no heartbeat for ${silentMs} ms while it worked on the request (its process died or lost NATS)`,
      { details: { subject, service, silentMs, reason: 'responder-silent' }, retryable: true },
    );
    this.name = 'ResponderSilentError';
  }
}

/**
 * A failure of the transport itself, not an answer: nobody served the subject, no reply came in time,
 * the connection dropped, or the responder fell silent mid-request. Sending a repeatable request again
 * may succeed; a remote's own error never counts (its answer stands).
 */
export function isTransportFailure(e: unknown): boolean {
  return (
    e instanceof NoRespondersError ||
    e instanceof MessagingTimeoutError ||
    e instanceof ConnectionLostError ||
    e instanceof DisconnectedError ||
    e instanceof ResponderSilentError
  );
}

/**
 * The NATS server refused to carry the request: this process' identity may not send it (its NATS
 * permissions, derived from the contracts' callers). Sending it again cannot help.
 */
export class NotPermittedError extends DomainError {
  constructor(subject: string, service: string) {
    super(
      'FORBIDDEN',
      `this service's NATS identity may not send ${subject} (to ${service}): the NATS server refused it`,
      { details: { subject, service }, retryable: false },
    );
    this.name = 'NotPermittedError';
  }
}

/** The remote handler answered with a typed error; `code` is the remote's code. */
export class RemoteError extends DomainError {
  constructor(
    readonly service: string,
    body: ErrorBody,
  ) {
    super(body.code, body.message, {
      ...(body.details ? { details: body.details } : {}),
      retryable: body.retryable,
    });
    this.name = 'RemoteError';
  }
}

/** Maps a NATS client error of a request to the platform's vocabulary. */
export function fromNatsRequestError(
  e: unknown,
  subject: string,
  service: string,
  timeoutMs: number,
): DomainError {
  if (isDomainError(e)) return e;
  if (e instanceof natsErrors.TimeoutError) return new MessagingTimeoutError(subject, timeoutMs);
  if (e instanceof natsErrors.NoRespondersError) return new NoRespondersError(subject, service);
  if (e instanceof natsErrors.RequestError) {
    if (e.isNoResponders()) return new NoRespondersError(subject, service);
    if (e.cause instanceof natsErrors.TimeoutError)
      return new MessagingTimeoutError(subject, timeoutMs);
    if (e.cause instanceof natsErrors.PermissionViolationError)
      return new NotPermittedError(subject, service);
  }
  if (
    e instanceof natsErrors.ClosedConnectionError ||
    e instanceof natsErrors.DrainingConnectionError
  ) {
    return new DomainError('UPSTREAM_UNAVAILABLE', 'the NATS connection is closed', {
      retryable: true,
    });
  }
  return new DomainError(
    'UPSTREAM_UNAVAILABLE',
    `request on ${subject} failed: ${(e as Error).message}`,
    {
      retryable: true,
    },
  );
}

/**
 * The one serializer of errors onto NATS: domain errors keep their code and message; anything else
 * becomes INTERNAL with an `errorId` to find the log line, and without the original message.
 */
export function toErrorBody(
  e: unknown,
  correlationId?: string,
): { body: ErrorBody; unexpected: boolean } {
  const extra = correlationId ? { correlationId } : {};
  if (isDomainError(e)) return { body: e.toBody(extra), unexpected: false };
  const errorId = randomUUID();
  return {
    body: {
      code: 'INTERNAL',
      message: `internal error (errorId ${errorId})`,
      errorId,
      retryable: false,
      ...extra,
    },
    unexpected: true,
  };
}
