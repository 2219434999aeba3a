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

/** Whether XML 1.0 can carry the text: no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF, no lone surrogates. */
export function isXmlSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0xd800) continue;
    if (c === 0x9 || c === 0xa || c === 0xd) continue;
    if (c < 0x20 || c === 0xfffe || c === 0xffff) return false;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
