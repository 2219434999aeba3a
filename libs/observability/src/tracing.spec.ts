import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  contextWithSpan,
  currentTraceId,
  endSpan,
  extractTraceContext,
  initTracing,
  injectTraceContext,
  SpanKind,
  startSpan,
  withExtractedContext,
  withSpan,
  withTraceContext,
} from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** What injectTraceContext writes into a NATS-header-like carrier. */
function injected(): Record<string, string> {
  const carrier: Record<string, string> = {};
  injectTraceContext((k, v) => (carrier[k] = v));
  return carrier;
}

// One process-wide set-up, as a service has, with the spans kept in memory to be read.
const exported = new InMemorySpanExporter();
beforeAll(() =>
  initTracing({
    service: 'test',
    instance: 'test-1',
    processors: [new SimpleSpanProcessor({ exporter: exported })],
  }),
);
const finished = (name: string) => exported.getFinishedSpans().filter((s) => s.name === name);

describe('trace context over message headers', () => {
  it('writes nothing when there is no trace to continue', () => {
    expect(injected()).toEqual({});
    expect(currentTraceId()).toBeUndefined();
  });

  it("continues the sender's trace: the extracted context is active inside, and passed on", () => {
    const headers: Record<string, string> = { traceparent: TRACEPARENT };
    const seen = withExtractedContext(
      (k) => headers[k],
      () => ({ id: currentTraceId(), out: injected() }),
    );
    expect(seen.id).toBe(TRACE_ID);
    expect(seen.out['traceparent']).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    // Outside, nothing leaks.
    expect(currentTraceId()).toBeUndefined();
  });

  it('ignores a missing or malformed traceparent instead of failing the message', () => {
    expect(
      withExtractedContext(
        () => undefined,
        () => currentTraceId(),
      ),
    ).toBeUndefined();
    expect(
      withExtractedContext(
        () => 'not-a-traceparent',
        () => currentTraceId(),
      ),
    ).toBeUndefined();
  });

  it('starts a child span of the incoming trace, and ends it even when the work fails', async () => {
    const headers: Record<string, string> = { traceparent: TRACEPARENT };
    const spanIds: string[] = [];
    await withExtractedContext(
      (k) => headers[k],
      () =>
        withSpan('nats handle x', { 'messaging.destination': 'x' }, async (span) => {
          expect(span.spanContext().traceId).toBe(TRACE_ID);
          spanIds.push(span.spanContext().spanId);
          // The child's id, not the parent's, goes out with the next message.
          expect(injected()['traceparent']).toContain(span.spanContext().spanId);
        }),
    );
    expect(spanIds[0]).not.toBe('00f067aa0ba902b7');

    const failure = new Error('boom');
    await expect(
      withSpan('failing', {}, async (span) => {
        expect(span.isRecording()).toBe(true);
        throw failure;
      }),
    ).rejects.toBe(failure);
  });
});

describe('spans in one trace', () => {
  it('gives a span started with a parent that parent, and its kind and attributes', async () => {
    const parent = startSpan(
      'GET /orchestrate',
      { 'http.route': '/orchestrate' },
      {
        kind: SpanKind.SERVER,
      },
    );
    const seen = await withTraceContext(contextWithSpan(parent), () =>
      withSpan(
        'nats request x',
        { 'messaging.destination.name': 'x' },
        async (child) => child.spanContext(),
        { kind: SpanKind.CLIENT },
      ),
    );
    endSpan(parent, undefined, { 'http.response.status_code': 200 });
    expect(seen.traceId).toBe(parent.spanContext().traceId);
    const [server] = finished('GET /orchestrate');
    const [client] = finished('nats request x');
    expect(server).toMatchObject({
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/orchestrate', 'http.response.status_code': 200 },
    });
    expect(server?.resource.attributes).toMatchObject({
      'service.name': 'test',
      'service.instance.id': 'test-1',
    });
    expect(client).toMatchObject({ kind: SpanKind.CLIENT });
    expect(client?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('ends a span failed with the error, and takes extra attributes when it ends', () => {
    const span = startSpan('failing work', {});
    endSpan(span, new Error('went wrong'), { 'switchboard.outcome': 'INTERNAL' });
    expect(finished('failing work')[0]).toMatchObject({
      status: { code: SpanStatusCode.ERROR, message: 'went wrong' },
      attributes: { 'switchboard.outcome': 'INTERNAL' },
      events: [expect.objectContaining({ name: 'exception' })],
    });
  });

  it('starts a root span when the carrier has no traceparent, and continues one when it has', () => {
    const root = startSpan('GET /x', {}, { parent: extractTraceContext(() => undefined) });
    expect(root.spanContext().traceId).not.toBe(TRACE_ID);
    const headers: Record<string, string> = { traceparent: TRACEPARENT };
    const child = startSpan('GET /x', {}, { parent: extractTraceContext((k) => headers[k]) });
    expect(child.spanContext().traceId).toBe(TRACE_ID);
    child.end();
    root.end();
    expect(finished('GET /x').map((s) => s.parentSpanContext?.spanId)).toEqual([
      '00f067aa0ba902b7',
      undefined,
    ]);
  });
});
