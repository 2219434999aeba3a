import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { instrumentLibraries } from './instrumentation.js';
import { setSpansRecorded } from './spans.js';

export * from './spans.js';

/** The sampler names of the OpenTelemetry specification (OTEL_TRACES_SAMPLER). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

export interface TracingSettings {
  /** `service.name` of every span. */
  service: string;
  /** `service.instance.id`: which replica (INSTANCE_ID). */
  instance?: string;
  version?: string;
  otlpEndpoint?: string | undefined;
  /** Which traces are recorded (default parentbased_always_on: all, unless the caller said not). */
  sampler?: TraceSampler;
  /** The ratio of the *traceidratio samplers (0…1, default 1). */
  samplerRatio?: number;
  /** Milliseconds between two exports of recorded spans (OTEL_BSP_SCHEDULE_DELAY, default 5000). */
  exportDelayMs?: number;
  /** Create spans even without an exporter (tests that check trace propagation). */
  spans?: boolean;
  /** Extra span processors (tests that read the spans in process). */
  processors?: SpanProcessor[];
}

let provider: TracerProvider | undefined;

/**
 * Sets up OpenTelemetry once per process: W3C `traceparent` propagation, async context, and — when an
 * OTLP endpoint is configured — recorded spans exported over OTLP/HTTP (JSON) plus the PostgreSQL,
 * Redis and outgoing HTTP (fetch) instrumentations. Without an endpoint, spans are not recorded: the
 * edges still start (non-recording) spans so every request has a trace id that travels in NATS
 * headers and log lines, and inner spans cost nothing.
 */
export function initTracing(settings: TracingSettings): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = [...(settings.processors ?? [])];
  if (settings.otlpEndpoint) {
    const url = `${settings.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url }),
        scheduledDelayMillis: settings.exportDelayMs ?? 5_000,
      }),
    );
  }
  const recorded = Boolean(settings.spans || spanProcessors.length);
  setSpansRecorded(recorded);
  provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.service,
      ...(settings.instance ? { 'service.instance.id': settings.instance } : {}),
      ...(settings.version ? { 'service.version': settings.version } : {}),
    }),
    // Not recording: spans are still made (ids, propagation), as cheap non-recording ones.
    sampler: recorded
      ? samplerFor(settings.sampler ?? 'parentbased_always_on', settings.samplerRatio ?? 1)
      : new AlwaysOffSampler(),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  if (settings.otlpEndpoint) instrumentLibraries();
}

function samplerFor(name: TraceSampler, ratio: number): Sampler {
  const root = (kind: string): Sampler =>
    kind.endsWith('always_off')
      ? new AlwaysOffSampler()
      : kind.endsWith('traceidratio')
        ? new TraceIdRatioBasedSampler(ratio)
        : new AlwaysOnSampler();
  return name.startsWith('parentbased_')
    ? new ParentBasedSampler({ root: root(name) })
    : root(name);
}

/** Exports the spans still queued (a stopping process calls it last). */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
}
