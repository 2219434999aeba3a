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
