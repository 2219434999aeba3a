import {
  contextWithSpan,
  endSpan,
  extractTraceContext,
  type Logger,
  type Metrics,
  type Span,
  SpanKind,
  type TraceContext,
  startSpan,
  withTraceContext,
} from '@switchboard/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Probe and scrape routes: answered often and by machines, so no span and their line at debug. */
const QUIET_ROUTES = new Set(['/health', '/readiness', '/metrics']);
/** Longest path written to an access line. */
const MAX_PATH = 200;

export interface HttpTelemetryOptions {
  metrics: Metrics;
  logger: Logger;
  /**
   * Fields of the access line only the service knows, once the request is answered (the gateway: the
   * authenticated user and the request id). Never a credential.
   */
  describeRequest?: (request: FastifyRequest) => Record<string, unknown>;
}

interface InFlight {
  started: number;
  span?: Span;
  context?: TraceContext;
  finished: boolean;
}

const IN_FLIGHT = Symbol('switchboard.http');
type Tracked = FastifyRequest & { [IN_FLIGHT]?: InFlight };

/**
 * What every HTTP request leaves behind: a server span continuing the caller's `traceparent` (the
 * handler and everything it causes run inside it), the request counter and latency histogram by route,
 * method and status, and one access line — at info, except for probes and scrapes (debug). The answer
 * is accounted for when its connection is done with it, so an event stream counts when it closes and
 * a client that went away is seen (`aborted`).
 */
export function instrumentHttp(fastify: FastifyInstance, opts: HttpTelemetryOptions): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const state: InFlight = { started: performance.now(), finished: false };
    const route = request.routeOptions.url;
    if (!route || !QUIET_ROUTES.has(route)) {
      const parent = extractTraceContext((k) => headerOf(request, k));
      state.span = startSpan(
        route ? `${request.method} ${route}` : request.method,
        {
          'http.request.method': request.method,
          'url.path': pathOf(request),
          ...(route ? { 'http.route': route } : {}),
        },
        { kind: SpanKind.SERVER, parent },
      );
      state.context = contextWithSpan(state.span, parent);
    }
    (request as Tracked)[IN_FLIGHT] = state;
    reply.raw.once('close', () => finish(request, reply, opts));
    done();
  });
  // After the body is read (whose events run outside any request's context) and before the route's
  // handler: guards, interceptors and the handler run inside the request's span.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const ctx = (request as Tracked)[IN_FLIGHT]?.context;
    if (ctx) withTraceContext(ctx, done);
    else done();
  });
}

function finish(request: FastifyRequest, reply: FastifyReply, opts: HttpTelemetryOptions): void {
  const state = (request as Tracked)[IN_FLIGHT];
  if (!state || state.finished) return;
  state.finished = true;
  const seconds = (performance.now() - state.started) / 1000;
  const route = request.routeOptions.url ?? 'unmatched';
  const status = reply.raw.statusCode;
  const aborted = !reply.raw.writableFinished;
  opts.metrics.observeHttp({ route, method: request.method, status: String(status) }, seconds);
  const ids = state.span?.spanContext();
  if (state.span) {
    endSpan(state.span, status >= 500 ? new Error(`HTTP ${status}`) : undefined, {
      'http.response.status_code': status,
      ...(aborted ? { 'http.aborted': true } : {}),
    });
  }
  const line = {
    method: request.method,
    route,
    path: pathOf(request),
    status,
    durationMs: Math.round(seconds * 10_000) / 10,
    ...(aborted ? { aborted: true } : {}),
    ...safely(() => opts.describeRequest?.(request)),
    ...(ids && ids.traceId !== '00000000000000000000000000000000'
      ? { traceId: ids.traceId, spanId: ids.spanId }
      : {}),
  };
  if (QUIET_ROUTES.has(route)) opts.logger.debug(line, 'http request');
  else opts.logger.info(line, 'http request');
}

/** The path without its query string (which may carry a credential or the user's text). */
function pathOf(request: FastifyRequest): string {
  const path = request.url.split('?', 1)[0] ?? '';
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safely(describe: () => Record<string, unknown> | undefined): Record<string, unknown> {
  try {
    return describe() ?? {};
  } catch {
    return {};
  }
}
