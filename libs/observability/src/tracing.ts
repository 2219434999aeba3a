import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  trace,
  type Span,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

let provider: TracerProvider | undefined;
/** The span handed to `withSpan` callbacks when none is active and none is created. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
/** Spans are only worth their cost when something exports them. */
let exporting = false;

/**
 * Sets up OpenTelemetry once per process: W3C `traceparent` propagation, async context, and an OTLP
 * exporter when an endpoint is configured. Without an endpoint spans are still created (so trace ids
 * flow through NATS headers and logs) but nothing is exported.
 */
export function initTracing(settings: {
  service: string;
  otlpEndpoint?: string | undefined;
  /** Create spans even without an exporter (tests that check trace propagation). */
  spans?: boolean;
}): void {
  if (provider) return;
  exporting = settings.spans ?? false;
  const spanProcessors: SpanProcessor[] = [];
  if (settings.otlpEndpoint) {
    const url = `${settings.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
    exporting = true;
  }
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.service }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
}

export function tracer(): Tracer {
  return trace.getTracer('switchboard');
}

/** Whether spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT set). */
export function isTracingExported(): boolean {
  return exporting;
}

/**
 * Runs `fn` inside a span that ends with the promise; errors mark the span and are rethrown. Without an
 * exporter no span is created (the caller's trace context still flows through), which keeps hot paths
 * such as a NATS hop cheap.
 */
export async function withSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!exporting) return fn(trace.getActiveSpan() ?? NO_SPAN);
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      throw e;
    } finally {
      span.end();
    }
  });
}

/** Writes the active trace context into a carrier (e.g. NATS headers). */
export function injectTraceContext(set: (key: string, value: string) => void): void {
  // No valid span in context (no trace to continue): nothing to write, skip the propagator.
  const active = trace.getSpan(context.active());
  if (!active || !isSpanContextValid(active.spanContext())) return;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  for (const [k, v] of Object.entries(carrier)) set(k, v);
}

/** Runs `fn` with the trace context read from a carrier as the active parent. */
export function withExtractedContext<T>(get: (key: string) => string | undefined, fn: () => T): T {
  const traceparent = get('traceparent');
  // Nothing to join (the sender had no trace): skip a context switch on every message.
  if (!traceparent) return fn();
  const carrier: Record<string, string> = { traceparent };
  const tracestate = get('tracestate');
  if (tracestate) carrier['tracestate'] = tracestate;
  return context.with(propagation.extract(context.active(), carrier), fn);
}

export function currentTraceId(): string | undefined {
  const id = trace.getSpan(context.active())?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
