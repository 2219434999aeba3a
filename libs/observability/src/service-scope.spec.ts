import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { runAsService } from './service-scope.js';
import { initTracing, isTracingExported, startSpan, withSpan } from './tracing.js';

// Two services in one process (a cell), each with its own provider; a third whose spans are not
// recorded. The spans of each one's work go to its own provider, with its own service.name.
const gateway = new InMemorySpanExporter();
const orchestrator = new InMemorySpanExporter();
beforeAll(() => {
  initTracing({
    service: 'gateway',
    processors: [new SimpleSpanProcessor({ exporter: gateway })],
  });
  initTracing({
    service: 'sb-orchestrator',
    scope: 'orchestrator',
    processors: [new SimpleSpanProcessor({ exporter: orchestrator })],
  });
  initTracing({ service: 'audit' });
});

const names = (e: InMemorySpanExporter) =>
  e.getFinishedSpans().map((s) => `${String(s.resource.attributes['service.name'])} ${s.name}`);

describe('spans of several services in one process', () => {
  it("records each service's spans with its own provider and service.name", async () => {
    await runAsService('orchestrator', () => withSpan('plan', {}, async () => undefined));
    await runAsService('gateway', () => withSpan('accept', {}, async () => undefined));
    // Work started inside a service's scope stays its own after an await and in a timer.
    await runAsService('orchestrator', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      startSpan('later', {}).end();
    });
    expect(names(orchestrator)).toEqual(['sb-orchestrator plan', 'sb-orchestrator later']);
    expect(names(gateway)).toEqual(['gateway accept']);
  });

  it("records nothing for a service that exports nothing, whatever the others' settings", async () => {
    expect(runAsService('audit', () => isTracingExported())).toBe(false);
    expect(runAsService('gateway', () => isTracingExported())).toBe(true);
    await runAsService('audit', () => withSpan('write', {}, async () => undefined));
    expect([...names(gateway), ...names(orchestrator)].some((n) => n.endsWith('write'))).toBe(
      false,
    );
  });

  it('gives work outside any service to the first service set up', async () => {
    await withSpan('outside', {}, async () => undefined);
    expect(names(gateway)).toContain('gateway outside');
  });
});
