// The XMPP server's stanza size limit, and fitting HTTP bodies under it. A server closes the whole
// stream on a stanza over its limit (Prosody: "XML stanza is too big"), which would end every
// exchange of the session over one request; so nothing larger leaves the bridge: bodies go chunked
// when the peer takes chunks, and are refused (PAYLOAD_TOO_LARGE) when it does not.
import type { Element } from '@xmpp/xml';

/** The limit in force, and whether the server advertised it (XEP-0478) or it is configured. */
export interface StanzaLimit {
  bytes: number;
  source: 'advertised' | 'configured';
}

/** XEP-0478 stream limits. */
export const NS_STREAM_LIMITS = 'urn:xmpp:stream-limits:0';

/** What a `<data>` element adds around an inline body (`<data><base64>…</base64></data>`). */
const DATA_WRAP_BYTES = 32;
/** What a `<chunk/>` message adds around its base64, besides the recipient's JID. */
const CHUNK_WRAP_BYTES = 256;

/** A stanza the server would refuse: not sent (the session would be closed over it). */
export class StanzaTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a ${bytes}-byte stanza exceeds the XMPP server's limit of ${limit} bytes per stanza`);
    this.name = 'StanzaTooLargeError';
  }
}

/** The `max-bytes` of an XEP-0478 `<limits/>` stream feature, when the server advertises one. */
export function advertisedStanzaLimit(features: Element): number | undefined {
  const text = features.getChild('limits', NS_STREAM_LIMITS)?.getChildText('max-bytes');
  const bytes = text === null || text === undefined ? NaN : Number(text.trim());
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** The stanza as it goes on the wire, in bytes. */
export function stanzaBytes(stanza: Element): number {
  return Buffer.byteLength(stanza.toString());
}

/**
 * Room for an inline body's encoded form in a stanza whose every other part is `envelope` (the IQ
 * with its `<req/>` or `<resp/>` and headers, no body); negative when the envelope alone is too big.
 */
export function bodyRoom(limit: StanzaLimit, envelope: Element): number {
  return limit.bytes - stanzaBytes(envelope) - DATA_WRAP_BYTES;
}

/** Body bytes per `<chunk/>` message to `to` that keep each message within the limit. */
export function chunkBytesWithin(limit: StanzaLimit, to: string, configured: number): number {
  const room = limit.bytes - CHUNK_WRAP_BYTES - Buffer.byteLength(to);
  // XEP-0332: maxChunkSize is at least 256; an RFC 6120 server takes at least 10000-byte stanzas.
  return Math.max(256, Math.min(configured, Math.floor(room / 4) * 3));
}

/** How the limit is known, for messages: "262144 bytes (advertised by the server, XEP-0478)". */
export function describeLimit(limit: StanzaLimit): string {
  return `${limit.bytes} bytes (${limit.source === 'advertised' ? 'advertised by the server, XEP-0478' : 'XMPP_BRIDGE_STANZA_LIMIT_BYTES'})`;
}
