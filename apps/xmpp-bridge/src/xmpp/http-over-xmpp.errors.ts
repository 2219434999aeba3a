// Where XMPP conditions meet the platform's error vocabulary, both ways: a failed exchange becomes a
// DomainError for the caller; a failed server-mode request becomes the stanza error the requester gets.
import { DomainError, isDomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { xml } from '@xmpp/xml';
import { ChunkStreamError } from './chunk.streams.js';
import {
  HeadersNotCarriedError,
  NS_BRIDGE_ERRORS,
  WireFormatError,
} from './http-over-xmpp.translator.js';
import { PeerGoneError, PeerOfflineError } from './presence.directory.js';
import { StanzaTooLargeError } from './stanza.limits.js';
import {
  IqErrorReply,
  StanzaErrorReply,
  XmppTimeoutError,
  XmppUnavailableError,
} from './xmpp-connection.js';

/** The caller stopped a streamed exchange. */
export class ExchangeCancelledError extends DomainError {
  constructor(message = 'the exchange was cancelled') {
    super('CANCELLED', message);
    this.name = 'ExchangeCancelledError';
  }
}

export function tooLarge(bytes: number, limit: number): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    `the body (${bytes} bytes) exceeds the bridge limit of ${limit} bytes`,
    { details: { bytes, limit } },
  );
}

/** Any failure of an exchange with `jid`, typed; only the unforeseen ones are logged (as errors). */
export function toDomainError(
  e: unknown,
  { jid, timeoutMs, logger }: { jid: string; timeoutMs: number; logger: Logger },
): DomainError {
  if (isDomainError(e)) return e;
  if (e instanceof XmppUnavailableError) {
    return new DomainError('UPSTREAM_UNAVAILABLE', `xmpp bridge unavailable: ${e.message}`, {
      retryable: true,
      details: { reason: 'bridge-disconnected' },
    });
  }
  if (e instanceof PeerGoneError) {
    return new DomainError('UPSTREAM_UNAVAILABLE', e.message, {
      retryable: true,
      details: { reason: 'peer-offline', jid: e.jid },
    });
  }
  if (e instanceof PeerOfflineError) {
    return new DomainError('UPSTREAM_UNAVAILABLE', e.message, {
      retryable: true,
      details: { reason: 'peer-offline', jid },
    });
  }
  if (e instanceof XmppTimeoutError) {
    return new DomainError('TIMEOUT', `${jid} did not answer within ${timeoutMs} ms`, {
      retryable: true,
      details: { jid, timeoutMs },
    });
  }
  if (e instanceof ChunkStreamError) {
    return e.reason === 'too-large'
      ? new DomainError('PAYLOAD_TOO_LARGE', `the response body from ${jid}: ${e.message}`, {
          details: { jid },
        })
      : e.reason === 'timeout'
        ? new DomainError('TIMEOUT', `the response body from ${jid}: ${e.message}`, {
            retryable: true,
          })
        : e.reason === 'broken-off'
          ? new DomainError('UPSTREAM_UNAVAILABLE', `the response body from ${jid}: ${e.message}`, {
              retryable: true,
              details: { jid, reason: 'target-broke-off' },
            })
          : new DomainError('UPSTREAM_ERROR', `the response body from ${jid}: ${e.message}`);
  }
  if (e instanceof StanzaTooLargeError) {
    // Bodies are sized to fit: what does not is the request's own part (its headers).
    return new DomainError(
      'PAYLOAD_TOO_LARGE',
      `the request to ${jid} would be a ${e.bytes}-byte stanza, over the XMPP server's limit of ${e.limit} bytes per stanza: its headers are too large to carry`,
      { details: { jid, bytes: e.bytes, stanzaLimit: e.limit } },
    );
  }
  if (e instanceof HeadersNotCarriedError)
    return new DomainError('UNSUPPORTED', `the request to ${jid}: ${e.message}`, {
      details: { jid, header: e.header, count: e.count },
    });
  if (e instanceof WireFormatError)
    return new DomainError(
      'UPSTREAM_ERROR',
      `${jid} sent an invalid XEP-0332 response: ${e.message}`,
    );
  if (e instanceof IqErrorReply) return iqErrorToDomain(e, jid);
  logger.error({ err: e }, 'unexpected failure of an HTTP-over-XMPP exchange');
  return new DomainError('INTERNAL', 'the exchange failed unexpectedly');
}

/** An XMPP error from the peer (or its server), in the platform's vocabulary. */
export function iqErrorToDomain(e: IqErrorReply, jid: string): DomainError {
  const said = `${jid} answered ${e.error.condition}${e.error.text ? ` (${e.error.text})` : ''}`;
  const details = { jid, condition: e.error.condition };
  if (e.error.app === 'payload-too-large')
    return new DomainError('PAYLOAD_TOO_LARGE', said, { details });
  switch (e.error.condition) {
    case 'forbidden':
    case 'not-authorized':
    case 'registration-required':
    case 'subscription-required':
      return new DomainError('FORBIDDEN', said, { details });
    case 'service-unavailable':
    case 'recipient-unavailable':
    case 'item-not-found':
    case 'remote-server-not-found':
    case 'gone':
    case 'redirect':
      return new DomainError('UPSTREAM_UNAVAILABLE', said, { details, retryable: true });
    case 'remote-server-timeout':
      return new DomainError('TIMEOUT', said, { details, retryable: true });
    case 'resource-constraint':
      return new DomainError('RATE_LIMITED', said, { details, retryable: true });
    case 'feature-not-implemented':
      return new DomainError('UNSUPPORTED', said, { details });
    case 'bad-request':
    case 'jid-malformed':
      return new DomainError('VALIDATION', said, { details });
    default:
      return new DomainError('UPSTREAM_ERROR', said, { details });
  }
}

/** A server-mode failure as the XMPP error the requester receives. */
export function toStanzaError(e: unknown): StanzaErrorReply {
  if (e instanceof StanzaErrorReply) return e;
  if (e instanceof HeadersNotCarriedError)
    return new StanzaErrorReply('cancel', 'not-acceptable', e.message);
  // The session went while the request was being read: nobody will receive this answer anyway.
  if (e instanceof XmppUnavailableError)
    return new StanzaErrorReply('wait', 'service-unavailable', e.message);
  if (e instanceof ChunkStreamError) {
    return e.reason === 'too-large'
      ? new StanzaErrorReply(
          'modify',
          'not-acceptable',
          e.message,
          xml('payload-too-large', { xmlns: NS_BRIDGE_ERRORS }),
        )
      : new StanzaErrorReply('modify', 'bad-request', e.message);
  }
  if (isDomainError(e)) {
    switch (e.code) {
      case 'PAYLOAD_TOO_LARGE':
        return new StanzaErrorReply(
          'modify',
          'not-acceptable',
          e.message,
          xml('payload-too-large', { xmlns: NS_BRIDGE_ERRORS }),
        );
      case 'FORBIDDEN':
        return new StanzaErrorReply('auth', 'forbidden', e.message);
      case 'VALIDATION':
        return new StanzaErrorReply('modify', 'bad-request', e.message);
      case 'UNSUPPORTED':
        return new StanzaErrorReply('cancel', 'feature-not-implemented', e.message);
      case 'TIMEOUT':
        return new StanzaErrorReply('wait', 'remote-server-timeout', e.message);
      default:
        return new StanzaErrorReply('wait', 'internal-server-error', e.message);
    }
  }
  throw e;
}
