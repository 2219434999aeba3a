// How a body goes into its <req/> or <resp/>: inline (<text>, <base64>) up to a threshold, announced
// as chunkedBase64 beyond it (slixmpp only ever inline); and how an inline body reads back. Sending
// and receiving the chunks themselves is BodyStreams' part.
import { DomainError } from '@switchboard/contracts';
import { randomBytes } from 'node:crypto';
import type { Dialect } from '../config/bridge-settings.js';
import {
  type BodyStream,
  type HttpRequestMessage,
  isTextBody,
  xmlTextLengthOfUtf8,
} from '../http/http-message.js';
import { tooLarge } from './http-over-xmpp.errors.js';
import { describeLimit, type StanzaLimit } from './stanza.limits.js';
import type { WireBody } from './http-over-xmpp.translator.js';

/** A body to send in chunks after the IQ that announces `streamId`. */
export interface OutgoingChunks {
  streamId: string;
  body: Buffer;
  chunkBytes: number;
}

export interface EncodedBody {
  wire?: WireBody;
  chunks?: OutgoingChunks;
}

/**
 * How a body goes out to a peer: inline when it is small enough and fits in the stanza (`room`
 * bytes are left for it once the envelope is counted), else chunked — or, to a peer that takes no
 * chunks (slixmpp's dialect), refused with PAYLOAD_TOO_LARGE: a stanza over the server's limit would
 * make the server close the whole session.
 */
export function encodeBody({
  headers,
  body,
  dialect,
  chunkBytes,
  maxBodyBytes,
  inlineMaxBytes,
  stanza,
}: {
  headers: HttpRequestMessage['headers'];
  body: Buffer | undefined;
  dialect: Dialect;
  chunkBytes: number;
  maxBodyBytes: number;
  inlineMaxBytes: number;
  /** Room for the inline body in its stanza, and the server limit it derives from. */
  stanza: { room: number; limit: StanzaLimit };
}): EncodedBody {
  if (!body || body.length === 0) return {};
  if (body.length > maxBodyBytes) throw tooLarge(body.length, maxBodyBytes);
  // slixmpp has no chunked transfer: everything goes inline to it.
  const inlineOnly = dialect === 'slixmpp';
  const base64Length = Math.ceil(body.length / 3) * 4;
  const fits = (wireBytes: number) => wireBytes <= stanza.room;
  if (isTextBody(headers, body)) {
    const xmlLength = xmlTextLengthOfUtf8(body);
    // Text goes as <text> unless base64 is shorter on the wire: the server re-escapes quotes, so
    // JSON grows ~2.5× as XML text, which the server, and the peer's parser, then handle entity by
    // entity (the 64 KB cost); base64 grows by a third and decodes natively. slixmpp keeps text.
    if (
      xmlLength >= 0 &&
      fits(xmlLength) &&
      (inlineOnly || (xmlLength <= base64Length && body.length <= inlineMaxBytes))
    )
      return { wire: { kind: 'text', text: body.toString('utf8') } };
  }
  if (fits(base64Length) && (inlineOnly || base64Length <= inlineMaxBytes)) {
    return { wire: { kind: 'base64', data: body.toString('base64') } };
  }
  if (inlineOnly) throw noRoomInStanza(body.length, stanza.limit);
  const streamId = randomBytes(9).toString('base64url');
  return { wire: { kind: 'chunked', streamId }, chunks: { streamId, body, chunkBytes } };
}

/** A body that only inline transfer could carry, and that one stanza cannot hold. */
function noRoomInStanza(bytes: number, limit: StanzaLimit): DomainError {
  return new DomainError(
    'PAYLOAD_TOO_LARGE',
    `the body (${bytes} bytes) does not fit in one stanza: the XMPP server takes at most ${describeLimit(limit)}, and a peer in slixmpp's XEP-0332 dialect takes no chunked bodies`,
    { details: { bytes, stanzaLimit: limit.bytes, dialect: 'slixmpp' } },
  );
}

/** An inline body's bytes, within `maxBodyBytes`; IBB is only taken by streamed exchanges. */
export function decodeInline(
  body: Exclude<WireBody, { kind: 'chunked' }>,
  maxBodyBytes: number,
): Buffer {
  let bytes: Buffer;
  switch (body.kind) {
    case 'text':
      bytes = Buffer.from(body.text, 'utf8');
      break;
    case 'xml':
      bytes = Buffer.from(body.xml, 'utf8');
      break;
    case 'base64':
      bytes = Buffer.from(body.data, 'base64');
      break;
    case 'ibb':
    case 'unsupported':
      throw new DomainError(
        'UNSUPPORTED',
        `body transfer <${body.kind === 'ibb' ? 'ibb' : body.name}/> is not supported here (only text, xml, base64 and chunkedBase64)`,
      );
  }
  if (bytes.length > maxBodyBytes) throw tooLarge(bytes.length, maxBodyBytes);
  return bytes;
}

/** A streamed body read to its end (for a requester that cannot take chunks), within `limit`. */
export async function readWhole(stream: BodyStream, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for (let piece = await stream.next(65_536); piece; piece = await stream.next(65_536)) {
    size += piece.length;
    if (size > limit) {
      stream.abort('too large');
      throw tooLarge(size, limit);
    }
    parts.push(piece);
  }
  return size > 0 ? Buffer.concat(parts, size) : undefined;
}
