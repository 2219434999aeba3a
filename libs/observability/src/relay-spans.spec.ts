import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  contextOfTraceparent,
  traceparentOf,
  withSpansOwedTo,
  withSpansReceivedFor,
} from './relay-spans.js';
import { currentTraceIds, initTracing, withSpan, withTraceContext } from './tracing.js';

const exported = new InMemorySpanExporter();
beforeAll(() =>
  initTracing({
    service: 'test',
    instance: 'test-1',
    processors: [new SimpleSpanProcessor({ exporter: exported })],
  }),
);
beforeEach(() => exported.reset());

const TRACE_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TRACE_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const owedIn = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;
const spansNamed = (name: string) => exported.getFinishedSpans().filter((s) => s.name === name);
const idsOf = (tp: string | undefined) => {
  const [, traceId, spanId] = tp?.split('-') ?? [];
  return { traceId, spanId };
};

describe('traceparentOf / contextOfTraceparent', () => {
  it('stores the active context as a traceparent and reads it back as a parent', async () => {
    expect(traceparentOf()).toBeUndefined();
    const stored = await withSpan('owing', {}, async () => traceparentOf());
    const [owing] = spansNamed('owing');
    expect(stored).toBe(owedIn(owing!.spanContext().traceId, owing!.spanContext().spanId));
    const later = withTraceContext(contextOfTraceparent(stored), () => currentTraceIds());
    expect(later).toEqual({
      traceId: owing!.spanContext().traceId,
      spanId: owing!.spanContext().spanId,
    });
    expect(
      withTraceContext(contextOfTraceparent(undefined), () => currentTraceIds()),
    ).toBeUndefined();
  });
});

describe(withSpansOwedTo.name, () => {
  it('work owed to one trace runs in a span of that trace, a child of where it was owed', async () => {
    const seen = await withSpansOwedTo(
      'audit relay',
      [{ key: 'task-a', traceparent: owedIn(TRACE_A, '00000000000000a1'), attributes: { k: 'a' } }],
      async (passOn) => ({ passOn, active: currentTraceIds() }),
    );
    const [relay] = spansNamed('audit relay');
    expect(relay!.spanContext().traceId).toBe(TRACE_A);
    expect(relay!.parentSpanContext?.spanId).toBe('00000000000000a1');
    expect(relay!.attributes).toEqual({ k: 'a' });
    expect(seen.active).toEqual({ traceId: TRACE_A, spanId: relay!.spanContext().spanId });
    expect(idsOf(seen.passOn['task-a'])).toEqual({
      traceId: TRACE_A,
      spanId: relay!.spanContext().spanId,
    });
    expect(spansNamed('audit relay batch')).toEqual([]);
  });

  it('work owed to several traces gives each its own span (linked to the batch), and runs in a batch span linked to them', async () => {
    const owed = [
      { key: 'task-a', traceparent: owedIn(TRACE_A, '00000000000000a1') },
      { key: 'task-b', traceparent: owedIn(TRACE_B, '00000000000000b1') },
      { key: 'task-c' },
    ];
    const seen = await withSpansOwedTo('audit relay', owed, async (passOn) => ({
      passOn,
      active: currentTraceIds(),
    }));
    const [batch] = spansNamed('audit relay batch');
    expect(batch!.parentSpanContext).toBeUndefined();
    expect(batch!.links.map((l) => l.context.traceId).sort()).toEqual([TRACE_A, TRACE_B]);
    expect(seen.active?.spanId).toBe(batch!.spanContext().spanId);
    const perTrace = spansNamed('audit relay');
    expect(
      perTrace.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId]).sort(),
    ).toEqual([
      [TRACE_A, '00000000000000a1'],
      [TRACE_B, '00000000000000b1'],
    ]);
    for (const s of perTrace)
      expect(s.links.map((l) => l.context.spanId)).toEqual([batch!.spanContext().spanId]);
    expect(Object.keys(seen.passOn).sort()).toEqual(['task-a', 'task-b']);
    for (const s of perTrace)
      expect(Object.values(seen.passOn)).toContain(
        owedIn(s.spanContext().traceId, s.spanContext().spanId),
      );
  });

  it('marks its spans failed when the work fails, and rethrows', async () => {
    await expect(
      withSpansOwedTo(
        'audit relay',
        [{ key: 'a', traceparent: owedIn(TRACE_A, '00000000000000a1') }],
        () => Promise.reject(new Error('no responders')),
      ),
    ).rejects.toThrow('no responders');
    expect(spansNamed('audit relay')[0]!.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'no responders',
    });
  });
});

describe(withSpansReceivedFor.name, () => {
  it('a span per trace: under the active span for its own trace, else under the given context, linked to the active span', async () => {
    const received = {
      'task-a': owedIn(TRACE_A, '00000000000000a2'),
      'task-b': owedIn(TRACE_B, '00000000000000b2'),
    };
    await withTraceContext(contextOfTraceparent(owedIn(TRACE_A, '00000000000000a9')), () =>
      withSpan('handle', {}, () =>
        withSpansReceivedFor(
          'audit chain',
          received,
          (key) => ({ task: key }),
          async () => 1,
        ),
      ),
    );
    const [handle] = spansNamed('handle');
    const chains = spansNamed('audit chain');
    const ofTask = (t: string) => chains.find((s) => s.attributes['task'] === t)!;
    expect(ofTask('task-a').parentSpanContext?.spanId).toBe(handle!.spanContext().spanId);
    expect(ofTask('task-a').links).toEqual([]);
    expect(ofTask('task-b').spanContext().traceId).toBe(TRACE_B);
    expect(ofTask('task-b').parentSpanContext?.spanId).toBe('00000000000000b2');
    expect(ofTask('task-b').links.map((l) => l.context.spanId)).toEqual([
      handle!.spanContext().spanId,
    ]);
  });
});
