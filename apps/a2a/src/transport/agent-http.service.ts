import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type A2a, DomainError, isDomainError, Xmpp } from '@switchboard/contracts';
import { isTransportFailure, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger, withHttpClientSpan } from '@switchboard/observability';
import { abortable } from '@switchboard/runtime';
import type { A2aEnv } from '../config/a2a.env.js';
import { A2aMetrics } from '../delegation/a2a.metrics.js';
import { BRIDGE_COMPONENT } from '../delegation/agent-resilience.js';
import { MappedHosts } from './mapped-hosts.js';

/** HTTP statuses that say "not now" rather than "no": retried, and counted by the circuit breaker. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
/** Response headers that describe the original connection's encoding, not the body we rebuild. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'content-encoding',
  'transfer-encoding',
  'content-length',
  'connection',
  'keep-alive',
]);
const TEXTUAL =
  /^(text\/|application\/(json|[a-z.+-]*\+json|xml|[a-z.+-]*\+xml|x-www-form-urlencoded|javascript))/i;

/** A request the SDK reads as a stream (SendStreamingMessage, SubscribeToTask). */
const WANTS_EVENT_STREAM = /\btext\/event-stream\b/i;

/**
 * The `fetch` the A2A SDK is given. Requests to a host in SERVICE_MAP go to the xmpp-bridge on NATS,
 * which carries them as XEP-0332: one `Xmpp.HttpRequest` answered with the whole response, or — when
 * the SDK asks for an event stream — one `Xmpp.HttpStream` whose parts become the body of the
 * `Response` as they arrive. Every other host is fetched directly. Either way transient failures
 * come back as retryable UPSTREAM_UNAVAILABLE errors, so the retry and breaker policies see one
 * vocabulary.
 */
@Injectable()
export class AgentHttp {
  private readonly serviceMap: MappedHosts;
  /** Where requests may go at all: the origins of the configured agents' base URLs. */
  private readonly origins: ReadonlySet<string>;
  /** Longest silence inside a streamed response over the bridge: a delegation's whole budget. */
  private readonly streamIdleMs: number;
  readonly fetch: typeof fetch;

  constructor(
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) config: A2aEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: A2aMetrics,
  ) {
    this.serviceMap = new MappedHosts(config.SERVICE_MAP.keys());
    this.origins = new Set(config.A2A_AGENTS.map((a) => new URL(a.baseUrl).origin));
    this.streamIdleMs = config.A2A_DELEGATION_TIMEOUT_MS;
    this.fetch = (input, init) => this.exchange(input, init);
  }

  transportOf(url: string): A2a.AgentTransport {
    return this.serviceMap.isMapped(url) ? 'xmpp' : 'http';
  }

  private async exchange(
    input: Parameters<typeof fetch>[0],
    init: RequestInit | undefined,
  ): Promise<Response> {
    const request = new Request(input, init);
    // Defence in depth behind the card check: nothing an agent sends can make this service call
    // (or reach over HTTP instead of XMPP) a host that is not a configured agent's.
    const origin = new URL(request.url).origin;
    if (!this.origins.has(origin)) {
      this.metrics.exchanges.inc({ transport: 'http', outcome: 'FORBIDDEN' });
      throw new DomainError(
        'FORBIDDEN',
        `refused to send a request to ${origin}: not the origin of an agent in A2A_AGENTS`,
        { details: { origin } },
      );
    }
    const transport = this.transportOf(request.url);
    const started = performance.now();
    let response: Response;
    try {
      // Over XMPP the bridges' spans hang below this one; directly, the fetch's own span does.
      response = await withHttpClientSpan(
        `a2a http ${request.method}`,
        { ...request, transport },
        async (answered) => {
          const r =
            transport === 'xmpp' ? await this.viaBridge(request) : await this.direct(request);
          answered(r.status);
          return r;
        },
      );
    } catch (e) {
      this.metrics.exchanges.inc({ transport, outcome: isDomainError(e) ? e.code : 'ABORTED' });
      this.logger.debug(
        { url: request.url, method: request.method, transport, err: e },
        'agent HTTP exchange failed',
      );
      throw e;
    }
    this.metrics.exchanges.inc({ transport, outcome: String(response.status) });
    this.metrics.exchangeSeconds.observe({ transport }, (performance.now() - started) / 1000);
    this.logger.debug(
      {
        url: request.url,
        method: request.method,
        transport,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      'agent HTTP exchange',
    );
    if (TRANSIENT_STATUS.has(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `${new URL(request.url).host} answered HTTP ${response.status}`,
        {
          retryable: true,
          details: { status: response.status, transport },
        },
      );
    }
    return response;
  }

  private async direct(request: Request): Promise<Response> {
    try {
      return await globalThis.fetch(request);
    } catch (e) {
      if (request.signal.aborted) throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `cannot reach ${new URL(request.url).host}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        {
          retryable: true,
          details: { transport: 'http' },
        },
      );
    }
  }

  private async viaBridge(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const parsedMethod = Xmpp.HttpOverXmppRequest.shape.method.safeParse(method);
    if (!parsedMethod.success)
      throw new DomainError('UNSUPPORTED', `HTTP ${method} cannot be carried over XMPP`);
    const headers: [string, string][] = [];
    request.headers.forEach((value, name) => headers.push([name, value]));
    const bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const contentType = request.headers.get('content-type') ?? '';
    const body =
      bytes && bytes.byteLength > 0
        ? TEXTUAL.test(contentType)
          ? { encoding: 'text' as const, data: new TextDecoder().decode(bytes) }
          : { encoding: 'base64' as const, data: Buffer.from(bytes).toString('base64') }
        : undefined;
    const outgoing = {
      method: parsedMethod.data,
      url: request.url,
      headers,
      ...(body ? { body } : {}),
    };
    if (WANTS_EVENT_STREAM.test(request.headers.get('accept') ?? ''))
      return this.viaBridgeStream(request, outgoing);
    const call = this.bus.request(Xmpp.HttpRequest, outgoing);
    let reply: Xmpp.HttpOverXmppResponse;
    try {
      reply = await abortable(call, request.signal);
    } catch (e) {
      if (request.signal.aborted) throw e;
      throw bridgeFailure(e, request.url);
    }
    const nullBody = reply.status === 204 || reply.status === 304 || method === 'HEAD';
    const payload =
      nullBody || !reply.body
        ? null
        : reply.body.encoding === 'text'
          ? reply.body.data
          : Buffer.from(reply.body.data, 'base64');
    return new Response(payload, {
      status: reply.status,
      ...(reply.statusText ? { statusText: reply.statusText } : {}),
      headers: responseHeaders(reply.headers),
    });
  }

  /**
   * The response as it arrives: returned once its head is in, its body a ReadableStream fed by the
   * bridge's parts (an SSE event reaches the SDK when the agent writes it, not at the end). The SDK
   * leaving the stream, or the request's signal, cancels it down to the agent's bridge.
   */
  private async viaBridgeStream(
    request: Request,
    outgoing: Xmpp.HttpOverXmppStreamRequest,
  ): Promise<Response> {
    // The reader may stop while a part is awaited: only a signal ends that wait (an async
    // generator's return() would queue behind it).
    const stop = new AbortController();
    const parts = this.bus.requestStream(
      Xmpp.HttpStream,
      { ...outgoing, idleTimeoutMs: this.streamIdleMs },
      {
        // Beyond the bridge's own idle timeout, so that its typed error arrives first.
        idleTimeoutMs: this.streamIdleMs + 5_000,
        signal: AbortSignal.any([request.signal, stop.signal]),
        cancel: Xmpp.HttpStreamCancel,
      },
    );
    let first: IteratorResult<Xmpp.HttpStreamPart>;
    try {
      first = await parts.next();
    } catch (e) {
      if (request.signal.aborted) throw e;
      throw bridgeFailure(e, request.url);
    }
    const head = first.done ? undefined : first.value;
    if (head?.kind !== 'head') {
      await parts.return(undefined);
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the XMPP bridge streamed no response head for ${new URL(request.url).host}`,
      );
    }
    const nullBody = head.status === 204 || head.status === 304 || request.method === 'HEAD';
    if (nullBody) await parts.return(undefined);
    const body = nullBody
      ? null
      : new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            try {
              const next = await parts.next();
              if (next.done) controller.close();
              else if (next.value.kind === 'body')
                controller.enqueue(Buffer.from(next.value.data, 'base64'));
            } catch (e) {
              controller.error(request.signal.aborted ? e : bridgeFailure(e, request.url));
            }
          },
          cancel: async () => {
            stop.abort(new DomainError('CANCELLED', 'the reader stopped'));
            await parts.return(undefined);
          },
        });
    return new Response(body, {
      status: head.status,
      ...(head.statusText ? { statusText: head.statusText } : {}),
      headers: responseHeaders(head.headers),
    });
  }
}

function responseHeaders(pairs: readonly [string, string][]): Headers {
  const headers = new Headers();
  for (const [name, value] of pairs) {
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) headers.append(name, value);
  }
  return headers;
}

/**
 * The bridge's errors in agent terms: down or slow is transient, anything else is not. When the
 * platform's own bridge could not be reached at all (nobody serves its subject, it fell silent, NATS
 * dropped) the failure is the platform's, not the agent's: `details.component` says so, and such a
 * failure never counts against the agent's circuit breaker (see isBridgeOutage).
 */
function bridgeFailure(e: unknown, url: string): DomainError {
  const host = new URL(url).host;
  if (!isDomainError(e))
    return new DomainError('UPSTREAM_ERROR', `the XMPP bridge failed for ${host}`);
  const transient = e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'TIMEOUT';
  const outage = isTransportFailure(e) || e.details?.['reason'] === 'responder-silent';
  return new DomainError(e.code, `via XMPP to ${host}: ${e.message}`, {
    retryable: transient,
    details: {
      ...(e.details ?? {}),
      transport: 'xmpp',
      ...(outage ? { component: BRIDGE_COMPONENT } : {}),
    },
  });
}
