// The trace context an HTTP message carries across the bridge: `traceparent` (and `tracestate`)
// among its headers, so it crosses XMPP as SHIM headers of the XEP-0332 stanza and reaches the peer
// bridge and its HTTP target like any other header.
import {
  extractTraceContext,
  injectTraceContext,
  type TraceContext,
} from '@switchboard/observability';
import { headerValue, type HeaderList } from './http-message.js';

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

/**
 * `headers` with the caller's trace headers replaced by the active trace context (the bridge's own
 * span): the next hop continues from here. Without an active trace, the caller's are dropped too:
 * they would name a span that is not this message's parent.
 */
export function withTraceHeaders(headers: HeaderList): HeaderList {
  const out = headers.filter(([name]) => !TRACE_HEADERS.has(name.toLowerCase()));
  injectTraceContext((name, value) => out.push([name, value]));
  return out;
}

/** The trace an incoming HTTP message continues (its `traceparent`), or none. */
export function traceContextOf(headers: HeaderList): TraceContext {
  return extractTraceContext((name) => headerValue(headers, name));
}
