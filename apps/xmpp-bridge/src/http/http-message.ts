// HTTP messages as the bridge carries them between NATS, XMPP and the local HTTP target: bodies as
// bytes, headers as ordered pairs. No protocol types here; each edge translates to and from these.
import { isUtf8 } from 'node:buffer';

export type HeaderList = [string, string][];

export interface HttpRequestMessage {
  method: string;
  /** Path and query (`/a2a?x=1`), or `*` for OPTIONS. */
  resource: string;
  headers: HeaderList;
  body?: Buffer;
}

export interface HttpResponseMessage {
  status: number;
  statusText?: string;
  headers: HeaderList;
  body?: Buffer;
  /** A body the target is still writing (server mode, streamed responses); `body` is then absent. */
  stream?: BodyStream;
  /**
   * Server mode: called once when the answer has been delivered (no argument; for a streamed body,
   * when the stream ended) or when it could not be (the error code: too large for a stanza, headers
   * the requester's dialect cannot carry, the session gone).
   */
  settled?(failure?: string): void;
}

/** A response body read while it is written: pieces as they are ready to go out, in order. */
export interface BodyStream {
  /** The next piece (at most `maxBytes`), or undefined at the end; rejects when the body broke off. */
  next(maxBytes: number): Promise<Buffer | undefined>;
  /** Stops reading (the local request is aborted); a pending `next` then rejects. */
  abort(reason: string): void;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

export function headerValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

const TEXT_TYPE =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|x-ndjson|yaml|graphql)\b|image\/svg\+xml)/i;

/**
 * Whether a body travels as text: its media type is textual (JSON, XML, text/*, forms…) and its bytes
 * are valid UTF-8. Everything else is binary (base64 on the wire).
 */
export function isTextBody(headers: HeaderList, body: Buffer): boolean {
  const type = headerValue(headers, 'content-type');
  if (type !== undefined) {
    if (!TEXT_TYPE.test(type.trim())) return false;
    const charset = /charset\s*=\s*"?([\w-]+)/i.exec(type)?.[1];
    if (charset && !/^(utf-?8|us-ascii)$/i.test(charset)) return false;
  }
  // No media type: text only if it is valid UTF-8 without NUL bytes (a guess, on the safe side).
  return isUtf8(body) && (type !== undefined || !body.includes(0));
}

/**
 * The length of `text` as an XML server writes it in a text node — Prosody escapes `& < > " '`, so
 * JSON grows by five characters per quote — or -1 when XML 1.0 cannot carry it at all (C0 controls
 * but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates).
 */
export function xmlTextLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x40 && c < 0xd800) continue; // letters and most of the rest: the common case
    if (c === 0x22 || c === 0x27)
      length += 5; // &quot; &apos;
    else if (c === 0x26)
      length += 4; // &amp;
    else if (c === 0x3c || c === 0x3e)
      length += 3; // &lt; &gt;
    else if (c >= 0x20 && c < 0xd800) continue;
    else if (c === 0x9 || c === 0xa || c === 0xd) continue;
    else if (c < 0x20 || c === 0xfffe || c === 0xffff) return -1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
  }
  return length;
}

/**
 * `xmlTextLength` of valid UTF-8 bytes (as `isTextBody` accepts them) without decoding them first:
 * the text's length in bytes as an XML server writes it, or -1 when XML cannot carry it. Counting
 * on the bytes decides text or base64 without building a string that base64 would then not use.
 */
export function xmlTextLengthOfUtf8(bytes: Buffer): number {
  let length = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b >= 0x40 && b !== 0xef) continue; // letters, most punctuation, multi-byte characters
    if (b === 0x22 || b === 0x27) length += 5;
    else if (b === 0x26) length += 4;
    else if (b === 0x3c || b === 0x3e) length += 3;
    else if (b < 0x20 && b !== 0x9 && b !== 0xa && b !== 0xd) return -1;
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
    else if (b === 0xef && bytes[i + 1] === 0xbf && ((bytes[i + 2] as number) & 0xfe) === 0xbe)
      return -1;
  }
  return length;
}

/** Whether XML 1.0 can carry the text: no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF, no lone surrogates. */
export function isXmlSafe(text: string): boolean {
  return xmlTextLength(text) >= 0;
}
