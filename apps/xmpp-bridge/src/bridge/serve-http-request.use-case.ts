import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import {
  contextWithSpan,
  endSpan,
  isTracingExported,
  LOGGER,
  type Logger,
  type Span,
  SpanKind,
  startSpan,
  withTraceContext,
} from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings, isAllowedJid } from '../config/bridge-settings.js';
import type { BodyStream, HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import { traceContextOf } from '../http/trace-headers.js';
import type { HttpRequestServer } from '../xmpp/http-over-xmpp.transport.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { BridgeMetrics } from './bridge.metrics.js';
import { afterThisTurn, exchangeLogger } from './exchange.log.js';
import { LocalHttpForwarder } from './local-http.forwarder.js';
import { bareOf } from '@switchboard/config';

/**
 * Server mode: HTTP requests that allowed JIDs send to this bridge's JID go to the local HTTP target,
 * and its response goes back. Requests from any other JID are refused before their body is read. A
 * request whose headers carry a `traceparent` continues that trace: the exchange is a span below the
 * requesting bridge's, and the local target gets this span's context in turn.
 */
@Injectable()
export class ServeHttpRequestUseCase implements HttpRequestServer, OnModuleInit {
  private readonly exchangeLog: Logger;

  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly session: XmppSessionService,
    private readonly forwarder: LocalHttpForwarder,
    private readonly metrics: BridgeMetrics,
  ) {
    this.exchangeLog = exchangeLogger(logger);
  }

  onModuleInit(): void {
    if (this.settings.serverMode) this.session.transport.serve(this);
    else if (this.settings.serverModeIdle)
      this.logger.info(
        'server mode is off: XMPP_BRIDGE_ALLOWED_JIDS names nobody who may send HTTP requests to this bridge',
      );
  }

  authorize(bare: string): boolean {
    const allowed = isAllowedJid(this.settings.allowedJids, bare);
    if (!allowed) this.metrics.exchanged('in', 'FORBIDDEN');
    return allowed;
  }

  handle(from: string, request: HttpRequestMessage): Promise<HttpResponseMessage> {
    const parent = traceContextOf(request.headers);
    // Without recorded spans the caller's context alone is enough (log lines carry its trace id).
    const span = isTracingExported()
      ? startSpan(
          'xmpp http in',
          {
            'http.request.method': request.method,
            'url.path': request.resource.split('?', 1)[0]?.slice(0, 200) ?? '',
            'switchboard.transport': 'xmpp',
          },
          { kind: SpanKind.SERVER, parent },
        )
      : undefined;
    return withTraceContext(span ? contextWithSpan(span, parent) : parent, () =>
      this.serve(from, request, span),
    );
  }

  private async serve(
    from: string,
    request: HttpRequestMessage,
    span: Span | undefined,
  ): Promise<HttpResponseMessage> {
    const started = performance.now();
    // Path only: a query string may carry credentials.
    const line = {
      direction: 'in',
      from: bareOf(from),
      method: request.method,
      path: request.resource.split('?')[0]?.slice(0, 200),
    };
    let response: HttpResponseMessage;
    try {
      response = await this.forwarder.forward(request, bareOf(from));
    } catch (e) {
      const outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      this.logger.warn(
        {
          from,
          method: request.method,
          resource: request.resource.slice(0, 200),
          err: (e as Error).message,
        },
        'incoming HTTP request failed',
      );
      this.done(line, started, undefined, outcome, span);
      throw e;
    }
    const status = response.status;
    // Logged once the answer is delivered (or refused): the requester's dialect or the stanza limit
    // may still refuse a response the target gave.
    let streamOutcome: string | undefined;
    let bytes = 0;
    const stream = response.stream
      ? this.observed(response.stream, (result, n) => {
          streamOutcome = result;
          bytes = n;
        })
      : undefined;
    let settled = false;
    return {
      ...response,
      ...(stream ? { stream } : {}),
      settled: (failure) => {
        if (settled) return;
        settled = true;
        const outcome = failure ?? streamOutcome ?? (status >= 500 ? String(status) : 'ok');
        this.done(
          stream ? { ...line, streamed: true, bytes } : line,
          started,
          status,
          outcome,
          span,
        );
      },
    };
  }

  /** Follows a streamed body: its outcome at the end (undefined when it ended well) and its size. */
  private observed(
    stream: BodyStream,
    ended: (outcome: string | undefined, bytes: number) => void,
  ): BodyStream {
    let bytes = 0;
    let reported = false;
    const report = (outcome: string | undefined) => {
      if (reported) return;
      reported = true;
      ended(outcome, bytes);
    };
    return {
      next: async (maxBytes) => {
        try {
          const piece = await stream.next(maxBytes);
          if (piece) bytes += piece.length;
          else report(undefined);
          return piece;
        } catch (e) {
          report(e instanceof DomainError ? e.code : 'INTERNAL');
          throw e;
        }
      },
      abort: (reason) => {
        report('CANCELLED');
        stream.abort(reason);
      },
    };
  }

  private done(
    line: Record<string, unknown>,
    started: number,
    status: number | undefined,
    outcome: string,
    span: Span | undefined,
  ): void {
    if (span) {
      endSpan(span, outcome === 'ok' ? undefined : outcome, {
        'switchboard.outcome': outcome,
        ...(status !== undefined ? { 'http.response.status_code': status } : {}),
      });
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.exchanged('in', outcome, seconds);
    const ms = Math.round(seconds * 10_000) / 10;
    afterThisTurn(() => this.exchangeLog.info({ ...line, status, outcome, ms }, 'xmpp exchange'));
  }
}
