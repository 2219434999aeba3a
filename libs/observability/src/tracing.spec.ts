import {
  currentTraceId,
  initTracing,
  injectTraceContext,
  withExtractedContext,
  withSpan,
} from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/** What injectTraceContext writes into a NATS-header-like carrier. */
function injected(): Record<string, string> {
  const carrier: Record<string, string> = {};
  injectTraceContext((k, v) => (carrier[k] = v));
  return carrier;
}

// One process-wide set-up, as a service has (spans created, nothing exported).
beforeAll(() => initTracing({ service: 'test', spans: true }));

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
