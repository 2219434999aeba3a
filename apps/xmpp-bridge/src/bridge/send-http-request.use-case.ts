import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type Xmpp } from '@switchboard/contracts';
import { LOGGER, type Logger, withHttpClientSpan } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import { headerValue, type HttpRequestMessage, isTextBody } from '../http/http-message.js';
import { withTraceHeaders } from '../http/trace-headers.js';
import type { StreamSink } from '../xmpp/http-over-xmpp.transport.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { BridgeMetrics } from './bridge.metrics.js';
import { afterThisTurn, exchangeLogger } from './exchange.log.js';

/**
 * The platform's HTTP request to a mapped host, carried over XMPP to the host's JID (SERVICE_MAP),
 * and the peer's response back. Fails fast when the session is down or the host is not mapped. Each
 * exchange is a span whose context goes out as the request's `traceparent` header (a SHIM header of
 * the stanza), so the peer's bridge continues the trace.
 */
@Injectable()
export class SendHttpRequestUseCase {
  /** Largest body carried out; lowered at start to what the NATS server can carry back. */
  private bodyLimit: number;
  private readonly exchangeLog: Logger;

  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    private readonly session: XmppSessionService,
    private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.bodyLimit = settings.maxBodyBytes;
    this.exchangeLog = exchangeLogger(logger);
  }

  get maxBodyBytes(): number {
    return this.bodyLimit;
  }

  /** Lowers the body limit to `bytes` (never raises it above the configured one). */
  limitBodies(bytes: number): void {
    this.bodyLimit = Math.min(this.settings.maxBodyBytes, bytes);
  }

  /** The JID serving `url`'s host (with or without its port), or NOT_FOUND. */
  jidFor(url: URL): string {
    const map = this.settings.serviceMap;
    const jid = map.get(url.host.toLowerCase()) ?? map.get(url.hostname.toLowerCase());
    if (!jid) {
      throw new DomainError(
        'NOT_FOUND',
        `host ${url.host} is not in SERVICE_MAP: nothing to send it to over XMPP`,
        {
          details: { host: url.host },
        },
      );
    }
    return jid;
  }

  /** The request as the XMPP side carries it, and the JID it goes to (logged in `line`). */
  private prepare(
    input: Xmpp.HttpOverXmppRequest,
    line: Record<string, unknown>,
  ): { jid: string; request: HttpRequestMessage } {
    const url = new URL(input.url);
    line['host'] = url.host;
    line['path'] = url.pathname;
    const jid = this.jidFor(url);
    line['to'] = jid;
    const headers = withTraceHeaders(input.headers);
    // The XMPP hop drops the URL's authority: keep it in Host, as any HTTP client would send it.
    if (headerValue(headers, 'host') === undefined) headers.unshift(['Host', url.host]);
    return {
      jid,
      request: {
        method: input.method,
        resource: `${url.pathname}${url.search}`,
        headers,
        ...(input.body
          ? {
              body: Buffer.from(
                input.body.data,
                input.body.encoding === 'text' ? 'utf8' : 'base64',
              ),
            }
          : {}),
      },
    };
  }

  execute(input: Xmpp.HttpOverXmppRequest): Promise<Xmpp.HttpOverXmppResponse> {
    return withHttpClientSpan('xmpp http out', { ...input, transport: 'xmpp' }, (answered) =>
      this.exchange(input, answered),
    );
  }

  private async exchange(
    input: Xmpp.HttpOverXmppRequest,
    answered: (status: number) => void,
  ): Promise<Xmpp.HttpOverXmppResponse> {
    const started = performance.now();
    let outcome = 'ok';
    // One info line per exchange, so operators see traffic crossing XMPP. Path only: a query string
    // may carry credentials.
    const line: Record<string, unknown> = { direction: 'out', method: input.method };
    try {
      const { jid, request } = this.prepare(input, line);
      const response = await this.session.transport.exchange(
        jid,
        request,
        input.timeoutMs ?? this.settings.xmpp.timeoutMs,
        this.bodyLimit,
      );
      const body = response.body;
      answered(response.status);
      line['status'] = response.status;
      line['bytes'] = body?.length ?? 0;
      return {
        status: response.status,
        ...(response.statusText ? { statusText: response.statusText } : {}),
        headers: response.headers,
        ...(body
          ? {
              body: isTextBody(response.headers, body)
                ? { encoding: 'text' as const, data: body.toString('utf8') }
                : { encoding: 'base64' as const, data: body.toString('base64') },
            }
          : {}),
        via: response.via,
      };
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      throw e;
    } finally {
      this.done(line, started, outcome);
    }
  }

  /**
   * The same exchange with the response handed to `sink` as it arrives (head, then body pieces);
   * resolves at its end. Each piece is its own NATS message, so the limit is the configured one,
   * not what one NATS message can carry. Aborting `signal` closes the stream towards the peer.
   */
  stream(
    input: Xmpp.HttpOverXmppStreamRequest,
    sink: StreamSink,
    signal: AbortSignal,
  ): Promise<void> {
    return withHttpClientSpan(
      'xmpp http out',
      { ...input, transport: 'xmpp' },
      (answered) => this.exchangeStream(input, sink, signal, answered),
      { 'switchboard.streamed': true },
    );
  }

  private async exchangeStream(
    input: Xmpp.HttpOverXmppStreamRequest,
    sink: StreamSink,
    signal: AbortSignal,
    answered: (status: number) => void,
  ): Promise<void> {
    const started = performance.now();
    let outcome = 'ok';
    let bytes = 0;
    const line: Record<string, unknown> = { direction: 'out', method: input.method };
    try {
      const { jid, request } = this.prepare(input, line);
      await this.session.transport.exchangeStream(
        jid,
        request,
        {
          timeoutMs: input.timeoutMs ?? this.settings.xmpp.timeoutMs,
          idleMs: input.idleTimeoutMs ?? this.settings.streamIdleMs,
          maxBodyBytes: this.settings.maxBodyBytes,
          signal,
        },
        {
          head: (head) => {
            answered(head.status);
            line['status'] = head.status;
            sink.head(head);
          },
          data: (piece) => {
            bytes += piece.length;
            sink.data(piece);
          },
        },
      );
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      throw e;
    } finally {
      this.done({ ...line, streamed: true, bytes }, started, outcome);
    }
  }

  private done(line: Record<string, unknown>, started: number, outcome: string): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.exchanged('out', outcome, seconds);
    const ms = Math.round(seconds * 10_000) / 10;
    afterThisTurn(() => this.exchangeLog.info({ ...line, outcome, ms }, 'xmpp exchange'));
  }
}
