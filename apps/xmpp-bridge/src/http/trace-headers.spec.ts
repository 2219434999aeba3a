import {
  contextWithSpan,
  initTracing,
  startSpan,
  withTraceContext,
} from '@switchboard/observability';
import type { HeaderList } from './http-message.js';
import { traceContextOf, withTraceHeaders } from './trace-headers.js';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

beforeAll(() => initTracing({ service: 'xmpp-bridge', spans: true }));

describe(withTraceHeaders.name, () => {
  const headers: HeaderList = [
    ['Content-Type', 'application/json'],
    ['TraceParent', CALLER],
    ['tracestate', 'vendor=1'],
  ];

  it("replaces the caller's trace headers by the bridge's own span, keeping the others in order", () => {
    const span = startSpan('xmpp http out', {}, { parent: traceContextOf(headers) });
    const out = withTraceContext(contextWithSpan(span), () => withTraceHeaders(headers));
    const { traceId, spanId } = span.spanContext();
    expect(out).toEqual([
      ['Content-Type', 'application/json'],
      ['traceparent', `00-${traceId}-${spanId}-01`],
      ['tracestate', 'vendor=1'],
    ]);
    // The same trace as the caller's: the next hop continues it.
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('drops trace headers that would name a span that is not the parent, when no trace is active', () => {
    expect(withTraceHeaders(headers)).toEqual([['Content-Type', 'application/json']]);
  });
});
