import {
  context,
  propagation,
  trace,
  type Tracer,
  type TracerOptions,
  type TracerProvider as TracerProviderApi,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
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
import { LazyOtlpExporter } from './lazy-otlp.exporter.js';
import { currentService } from './service-scope.js';
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
  /**
   * Which service of the process these settings are for (default `service`): in a cell, the name it
   * runs the service under (runAsService), whatever OTEL_SERVICE_NAME says.
   */
  scope?: string;
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

/** Each service's provider, by scope; the first one set up also serves work outside any scope. */
const providers = new Map<string, TracerProvider>();
let fallback: TracerProvider | undefined;

/**
 * Sets up OpenTelemetry for one service of the process: W3C `traceparent` propagation, async context,
 * and — when an OTLP endpoint is configured — recorded spans exported over OTLP/HTTP (JSON) plus the
 * PostgreSQL, Redis and outgoing HTTP (fetch) instrumentations. Without an endpoint, spans are not
 * recorded: the edges still start (non-recording) spans so every request has a trace id that travels
 * in NATS headers and log lines, and inner spans cost nothing.
 *
 * Each service gets its own provider, with its own resource (`service.name`, `service.instance.id`),
 * sampler and exporter; the process-wide tracer hands every span to the provider of the service whose
 * work is running (`currentService`, set by runAsService in a cell), so a cell's traces name the
 * service that did the work exactly as separate processes do. A second call for the same scope does
 * nothing.
 */
export function initTracing(settings: TracingSettings): void {
  const scope = settings.scope ?? settings.service;
  if (providers.has(scope)) return;
  const spanProcessors: SpanProcessor[] = [...(settings.processors ?? [])];
  if (settings.otlpEndpoint) {
    const url = `${settings.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new LazyOtlpExporter(url),
        scheduledDelayMillis: settings.exportDelayMs ?? 5_000,
      }),
    );
  }
  const recorded = Boolean(settings.spans || spanProcessors.length);
  setSpansRecorded(scope, recorded);
  const provider = new TracerProvider({
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
  providers.set(scope, provider);
  if (!fallback) {
    fallback = provider;
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new ServiceTracerProvider());
  }
  if (settings.otlpEndpoint) instrumentLibraries();
}

/** The provider of the service whose work is running (the first one set up, outside any). */
function providerHere(): TracerProvider {
  const service = currentService();
  const own = service === undefined ? undefined : providers.get(service);
  // The global provider is set only once a first one exists: there is always a fallback.
  return own ?? (fallback as TracerProvider);
}

/** The process-wide provider: its tracers start each span with the running service's provider. */
class ServiceTracerProvider implements TracerProviderApi {
  private readonly tracers = new Map<string, Tracer>();

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version ?? ''}`;
    let t = this.tracers.get(key);
    if (!t) {
      const own = () => providerHere().getTracer(name, version, options);
      t = {
        startSpan: (spanName, spanOptions, ctx) => own().startSpan(spanName, spanOptions, ctx),
        // startActiveSpan's overloads all end with the callback: hand them over as they came.
        startActiveSpan: ((...args: unknown[]) => {
          const tracer = own();
          return (tracer.startActiveSpan as (...a: unknown[]) => unknown).apply(tracer, args);
        }) as Tracer['startActiveSpan'],
      };
      this.tracers.set(key, t);
    }
    return t;
  }
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

/** Exports the spans still queued of one service (`scope`), or of every one (a stopping process). */
export async function shutdownTracing(scope?: string): Promise<void> {
  const which = scope === undefined ? [...providers.values()] : [providers.get(scope)];
  await Promise.all(which.flatMap((p) => (p ? [p.shutdown()] : [])));
}
