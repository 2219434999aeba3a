// XEP-0332 (HTTP over XMPP) stanzas ⇄ plain structures. Two dialects share the namespace: the XEP's
// <req>/<resp>, and slixmpp's plugin (1.8), which names them <request>/<response>. Headers are SHIM
// (XEP-0131) pairs, carried verbatim in the XEP's dialect and with no exact name twice in slixmpp's
// (`forDictPeer`); bodies are <text>, <xml>, <base64> or <chunkedBase64/>.
import { type Element, xml } from '@xmpp/xml';
import type { Dialect } from '../config/bridge-settings.js';
import type { HeaderList } from '../http/http-message.js';

export const NS_HTTP = 'urn:xmpp:http';
export const NS_SHIM = 'http://jabber.org/protocol/shim';
/** XEP-0047 in-band bytestreams: how a peer may send a response body of unknown length. */
export const NS_IBB = 'http://jabber.org/protocol/ibb';
/** Marks an error the bridge raised because a body exceeded its limit (an application condition). */
export const NS_BRIDGE_ERRORS = 'urn:switchboard:xmpp-bridge:errors';

const METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'PATCH']);

export type WireBody =
  | { kind: 'text'; text: string }
  | { kind: 'base64'; data: string }
  | { kind: 'xml'; xml: string }
  | { kind: 'chunked'; streamId: string }
  | { kind: 'ibb'; sid: string }
  | { kind: 'unsupported'; name: string };

export interface WireRequest {
  dialect: Dialect;
  method: string;
  resource: string;
  version: string;
  maxChunkSize?: number;
  /** Whether the requester takes a response body as an in-band bytestream (XEP-0047). */
  ibb?: boolean;
  headers: HeaderList;
  body?: WireBody;
}

export interface WireResponse {
  dialect: Dialect;
  status: number;
  statusMessage?: string;
  version: string;
  headers: HeaderList;
  body?: WireBody;
}

/** A stanza that breaks XEP-0332 (answered with bad-request). */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

const REQUEST_NAME: Record<Dialect, string> = { xep: 'req', slixmpp: 'request' };
const RESPONSE_NAME: Record<Dialect, string> = { xep: 'resp', slixmpp: 'response' };

/** The HTTP request inside an IQ payload, and its dialect (or undefined when it is not one). */
export function requestDialect(payload: Element): Dialect | undefined {
  if (payload.getNS() !== NS_HTTP) return undefined;
  if (payload.name === 'req') return 'xep';
  if (payload.name === 'request') return 'slixmpp';
  return undefined;
}

function headersElement(headers: HeaderList, dialect: Dialect): Element | undefined {
  if (headers.length === 0) return undefined;
  const list = dialect === 'slixmpp' ? forDictPeer(headers) : headers;
  return xml(
    'headers',
    { xmlns: NS_SHIM },
    ...list.map(([name, value]) => xml('header', { name }, value)),
  );
}

/**
 * A header list a peer's dialect cannot carry: more Set-Cookie headers than the name has spellings
 * (512), which a peer in slixmpp's dialect needs one each of (`forDictPeer`).
 */
export class HeadersNotCarriedError extends Error {
  constructor(
    readonly header: string,
    readonly count: number,
  ) {
    super(
      `${count} ${header} headers cannot reach a peer in slixmpp's XEP-0332 dialect: it keeps one value per header name, so each ${header} needs its own spelling of the name, and there are only ${2 ** letterPositions(header).length}`,
    );
    this.name = 'HeadersNotCarriedError';
  }
}

/**
 * Headers for a dict-minded peer. slixmpp (1.8) reads SHIM headers into a dict keyed by the exact
 * name, and a repeated name breaks its parser (the requester then reads no header at all), so no exact
 * name may repeat. Repeats are joined — `; ` for Cookie (RFC 6265 §5.4), `, ` otherwise (RFC 9110
 * §5.3) — except Set-Cookie, which RFC 6265 §3 forbids joining (an Expires date holds `, `): each keeps
 * its own header, the name spelled in another letter case. slixmpp then holds every cookie under a key
 * of its own, and for HTTP they are still one field (names are case-insensitive, RFC 9110 §5.1).
 */
function forDictPeer(headers: HeaderList): HeaderList {
  const out: [string, string][] = [];
  const joined = new Map<string, [string, string]>();
  const cookieNames = new Set<string>();
  let spellings: Iterator<string> | undefined;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (key === 'set-cookie') {
      let spelled = name;
      while (cookieNames.has(spelled)) {
        spellings ??= caseSpellings(name);
        const next = spellings.next();
        if (next.done) {
          const count = headers.filter(([n]) => n.toLowerCase() === key).length;
          throw new HeadersNotCarriedError(name, count);
        }
        spelled = next.value;
      }
      cookieNames.add(spelled);
      out.push([spelled, value]);
      continue;
    }
    const seen = joined.get(key);
    if (seen) seen[1] = `${seen[1]}${key === 'cookie' ? '; ' : ', '}${value}`;
    else {
      const pair: [string, string] = [name, value];
      joined.set(key, pair);
      out.push(pair);
    }
  }
  return out;
}

/** The indexes of the letters in `name` (those with an upper and a lower case). */
function letterPositions(name: string): number[] {
  return [...name].flatMap((c, i) => (c.toLowerCase() === c.toUpperCase() ? [] : [i]));
}

/** Every spelling of `name` in letter case, all lower case first. */
function* caseSpellings(name: string): Generator<string> {
  const letters = letterPositions(name);
  for (let mask = 0; mask < 2 ** letters.length; mask++) {
    const chars = [...name.toLowerCase()];
    letters.forEach((at, bit) => {
      if (mask & (1 << bit)) chars[at] = (chars[at] as string).toUpperCase();
    });
    yield chars.join('');
  }
}

/**
 * Headers as a dict-minded peer sent them: the spellings of one name (`forDictPeer`'s Set-Cookie
 * headers) are written as the first one's, so the message reads as its sender meant it.
 */
function foldSpellings(headers: HeaderList): HeaderList {
  const first = new Map<string, string>();
  return headers.map(([name, value]) => {
    const key = name.toLowerCase();
    const spelled = first.get(key) ?? name;
    first.set(key, spelled);
    return [spelled, value];
  });
}

function dataElement(body: WireBody | undefined): Element | undefined {
  if (!body) return undefined;
  switch (body.kind) {
    case 'text':
      return xml('data', {}, xml('text', {}, body.text));
    case 'base64':
      return xml('data', {}, xml('base64', {}, body.data));
    case 'chunked':
      return xml('data', {}, xml('chunkedBase64', { streamId: body.streamId }));
    case 'xml':
    case 'ibb':
    case 'unsupported':
      throw new WireFormatError(`the bridge does not send ${body.kind} bodies`);
  }
}

function readHeaders(el: Element, dialect: Dialect): HeaderList {
  const headers = el.getChild('headers', NS_SHIM);
  if (!headers) return [];
  const list = headers.getChildren('header').map((h) => {
    const name = h.attrs['name'];
    if (!name) throw new WireFormatError('a SHIM header has no name');
    return [name, h.text()] as [string, string];
  });
  return dialect === 'slixmpp' ? foldSpellings(list) : list;
}

function readBody(el: Element): WireBody | undefined {
  const data = el.getChild('data');
  if (!data) return undefined;
  const [content] = data.getChildElements();
  if (!content) {
    // slixmpp writes an empty <data/> for an empty body.
    return { kind: 'text', text: '' };
  }
  switch (content.name) {
    case 'text':
      return { kind: 'text', text: content.text() };
    case 'base64':
      return { kind: 'base64', data: content.text() };
    case 'xml': {
      const [root] = content.getChildElements();
      return { kind: 'xml', xml: root ? root.toString() : content.text() };
    }
    case 'chunkedBase64': {
      const streamId = content.attrs['streamId'];
      if (!streamId) throw new WireFormatError('chunkedBase64 without streamId');
      return { kind: 'chunked', streamId };
    }
    case 'ibb': {
      const sid = content.attrs['sid'];
      if (!sid) throw new WireFormatError('ibb without sid');
      return { kind: 'ibb', sid };
    }
    default:
      return { kind: 'unsupported', name: content.name };
  }
}

export function requestElement(r: WireRequest): Element {
  return xml(
    REQUEST_NAME[r.dialect],
    {
      xmlns: NS_HTTP,
      method: r.method,
      resource: r.resource,
      version: r.version,
      ...(r.maxChunkSize !== undefined && r.dialect === 'xep'
        ? { maxChunkSize: r.maxChunkSize }
        : {}),
      // We only take inline or chunked bodies back (and IBB for streamed responses): no SI
      // publishing or Jingle.
      ...(r.dialect === 'xep'
        ? { sipub: 'false', ibb: String(r.ibb ?? false), jingle: 'false' }
        : {}),
    },
    headersElement(r.headers, r.dialect),
    dataElement(r.body),
  );
}

export function parseRequest(payload: Element): WireRequest {
  const dialect = requestDialect(payload);
  if (!dialect) throw new WireFormatError(`<${payload.name}> is not an HTTP request`);
  const method = (payload.attrs['method'] ?? '').toUpperCase();
  if (!METHODS.has(method))
    throw new WireFormatError(`unsupported method "${payload.attrs['method'] ?? ''}"`);
  const resource = payload.attrs['resource'] ?? '';
  if (!(resource.startsWith('/') || (resource === '*' && method === 'OPTIONS'))) {
    throw new WireFormatError(
      `resource must be a path starting with / (got "${resource.slice(0, 100)}")`,
    );
  }
  const ibb = payload.attrs['ibb'];
  const max = payload.attrs['maxChunkSize'];
  const maxChunkSize = max === undefined ? undefined : Number(max);
  if (
    maxChunkSize !== undefined &&
    !(Number.isInteger(maxChunkSize) && maxChunkSize >= 256 && maxChunkSize <= 65_536)
  ) {
    throw new WireFormatError('maxChunkSize must be an integer from 256 to 65536');
  }
  return {
    dialect,
    method,
    resource,
    version: payload.attrs['version'] ?? '1.1',
    ...(maxChunkSize !== undefined ? { maxChunkSize } : {}),
    ...(ibb !== undefined ? { ibb: ibb === 'true' || ibb === '1' } : {}),
    headers: readHeaders(payload, dialect),
    ...optional('body', readBody(payload)),
  };
}

export function responseElement(r: WireResponse): Element {
  return xml(
    RESPONSE_NAME[r.dialect],
    {
      xmlns: NS_HTTP,
      version: r.version,
      statusCode: r.status,
      ...(r.statusMessage ? { statusMessage: r.statusMessage } : {}),
    },
    headersElement(r.headers, r.dialect),
    dataElement(r.body),
  );
}

/** The response inside an IQ result, in either dialect. */
export function parseResponse(iq: Element): WireResponse {
  const payload = iq.getChild('resp', NS_HTTP) ?? iq.getChild('response', NS_HTTP);
  if (!payload) throw new WireFormatError('the result carries no <resp/>');
  const status = Number(payload.attrs['statusCode']);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new WireFormatError(`invalid statusCode "${payload.attrs['statusCode'] ?? ''}"`);
  }
  const message = payload.attrs['statusMessage'];
  const dialect: Dialect = payload.name === 'resp' ? 'xep' : 'slixmpp';
  return {
    dialect,
    status,
    ...(message ? { statusMessage: message } : {}),
    version: payload.attrs['version'] ?? '1.1',
    headers: readHeaders(payload, dialect),
    ...optional('body', readBody(payload)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
