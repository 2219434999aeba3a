import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { requestContext } from './request-context.js';
import { currentService } from './service-scope.js';

export { SpanKind } from '@opentelemetry/api';
export type {
  Attributes as SpanAttributes,
  Context as TraceContext,
  Span,
} from '@opentelemetry/api';

/** The span handed to `withSpan` callbacks when none is active and none is created. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
/**
 * Spans are only worth their cost when something records them: initTracing decides, per service of
 * the process (a cell runs several, each with its own tracing settings). The first service set up
 * answers for work outside any service's scope (a single-service process: always itself).
 */
const recordedBy = new Map<string, boolean>();
let anyRecorded = false;
let firstService: string | undefined;

/** @internal initTracing's switch for one service of the process. */
export function setSpansRecorded(service: string, on: boolean): void {
  recordedBy.set(service, on);
  firstService ??= service;
  anyRecorded ||= on;
}

/** Whether the current service's spans are recorded (no lookup while nothing records anything). */
function recordedHere(): boolean {
  if (!anyRecorded) return false;
  const service = currentService();
  return (
    (service === undefined ? undefined : recordedBy.get(service)) ??
    (firstService === undefined ? false : (recordedBy.get(firstService) ?? false))
  );
}

export function tracer(): Tracer {
  return trace.getTracer('switchboard');
}

/** Whether spans are recorded (OTEL_EXPORTER_OTLP_ENDPOINT set). */
export function isTracingExported(): boolean {
  return recordedHere();
}

/**
 * The attributes of an outgoing HTTP exchange's span (OpenTelemetry's HTTP client conventions): its
 * method, host and path, never its query string (it may carry a token), and which transport carried
 * it. Not worked out while spans are not recorded; a URL that does not parse names no host or path.
 */
export function httpClientAttributes(
  method: string,
  url: string,
  transport: string,
): Record<string, string> {
  if (!recordedHere()) return {};
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  return {
    'http.request.method': method,
    ...(parsed ? { 'server.address': parsed.host, 'url.path': parsed.pathname } : {}),
    'switchboard.transport': transport,
  };
}

/** An outgoing HTTP exchange, as its span names it (httpClientAttributes). */
export interface HttpExchange {
  method: string;
  url: string;
  /** What carries it (`direct`, `xmpp`). */
  transport: string;
}

/**
 * Runs an outgoing HTTP exchange in a CLIENT span with OpenTelemetry's HTTP client attributes
 * (httpClientAttributes, and `extra`). `fn` tells the response's status once it has it
 * (`http.response.status_code`): a streamed answer has it at its head, long before its end.
 */
export function withHttpClientSpan<T>(
  name: string,
  exchange: HttpExchange,
  fn: (answered: (status: number) => void) => Promise<T>,
  extra: Attributes = {},
): Promise<T> {
  const { method, url, transport } = exchange;
  return withSpan(
    name,
    { ...httpClientAttributes(method, url, transport), ...extra },
    (span) => fn((status) => span.setAttribute('http.response.status_code', status)),
    { kind: SpanKind.CLIENT },
  );
}

export interface SpanOptions {
  kind?: SpanKind;
  /** The parent (default: the active context). */
  parent?: Context;
  links?: Link[];
}

/**
 * Runs `fn` inside a span that ends with the promise; errors mark the span and are rethrown. When
 * spans are not recorded none is created (the caller's trace context still flows through), which
 * keeps hot paths such as a NATS hop cheap.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: SpanOptions = {},
): Promise<T> {
  if (!recordedHere()) {
    const run = () => fn(trace.getActiveSpan() ?? NO_SPAN);
    return options.parent ? context.with(options.parent, run) : run();
  }
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, spanStart(attributes, options), parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (e) {
      failSpan(span, e);
      throw e;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts a span the caller ends (endSpan) — for work that outlives one call, such as an HTTP request
 * or a streamed exchange. It is always created: a non-recording one (cheap, with ids) when spans are
 * not recorded, so an edge still gives its work a trace id.
 */
export function startSpan(name: string, attributes: Attributes, options: SpanOptions = {}): Span {
  return tracer().startSpan(
    name,
    spanStart(attributes, options),
    options.parent ?? context.active(),
  );
}

function spanStart(attributes: Attributes, options: SpanOptions) {
  return {
    attributes,
    kind: options.kind ?? SpanKind.INTERNAL,
    ...(options.links ? { links: options.links } : {}),
  };
}

/** Runs `fn` with `span` active (its children and outgoing messages hang below it). */
export function withActiveSpan<T>(span: Span, fn: () => T, parent = context.active()): T {
  return context.with(trace.setSpan(parent, span), fn);
}

/**
 * Runs `fn` outside the current request and trace: what it sends starts traces of its own and carries
 * no request's correlation id (work for several requests at once, e.g. a relayed batch).
 */
export function detached<T>(fn: () => T): T {
  return requestContext.exit(() => context.with(ROOT_CONTEXT, fn));
}

/** Runs `fn` in a context captured earlier (contextWithSpan, extractTraceContext). */
export function withTraceContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** The context in which `span` is active, to hand to work started later. */
export function contextWithSpan(span: Span, parent = context.active()): Context {
  return trace.setSpan(parent, span);
}

/** Marks a span failed with the error's name and message (never its details). */
export function failSpan(span: Span, e: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: e instanceof Error ? e.message : String(e),
  });
}

/** Ends a span, failed with `error` when given. */
export function endSpan(span: Span, error?: unknown, attributes?: Attributes): void {
  if (attributes && span.isRecording()) span.setAttributes(attributes);
  if (error !== undefined) failSpan(span, error);
  span.end();
}

/** Writes the active trace context (or `ctx`'s) into a carrier (e.g. NATS or HTTP headers). */
export function injectTraceContext(
  set: (key: string, value: string) => void,
  ctx: Context = context.active(),
): void {
  // No valid span in context (no trace to continue): nothing to write, skip the propagator.
  const active = trace.getSpan(ctx);
  if (!active || !isSpanContextValid(active.spanContext())) return;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const [k, v] of Object.entries(carrier)) set(k, v);
}

/**
 * The context a carrier's `traceparent` (and `tracestate`) describe, as a parent to continue; the
 * root context when it has none or a malformed one.
 */
export function extractTraceContext(get: (key: string) => string | undefined): Context {
  const traceparent = get('traceparent');
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent };
  const tracestate = get('tracestate');
  if (tracestate) carrier['tracestate'] = tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs `fn` with the trace context read from a carrier as the active parent. */
export function withExtractedContext<T>(get: (key: string) => string | undefined, fn: () => T): T {
  // Nothing to join (the sender had no trace): skip a context switch on every message.
  if (!get('traceparent')) return fn();
  return context.with(extractTraceContext(get), fn);
}

/** The trace and span ids of the active context, when there is a valid one. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  const sc = trace.getSpan(context.active())?.spanContext();
  return sc && isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
}

export function currentTraceId(): string | undefined {
  return currentTraceIds()?.traceId;
}
