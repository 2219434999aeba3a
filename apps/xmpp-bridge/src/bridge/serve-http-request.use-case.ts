import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings, isAllowedJid } from '../config/bridge-settings.js';
import type { BodyStream, HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import type { HttpRequestServer } from '../xmpp/http-over-xmpp.transport.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { BridgeMetrics } from './bridge.metrics.js';
import { afterThisTurn, exchangeLogger } from './exchange.log.js';
import { LocalHttpForwarder } from './local-http.forwarder.js';
import { bareOf } from '../config/jid.js';

/**
 * Server mode: HTTP requests that allowed JIDs send to this bridge's JID go to the local HTTP target,
 * and its response goes back. Requests from any other JID are refused before their body is read.
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

  async handle(from: string, request: HttpRequestMessage): Promise<HttpResponseMessage> {
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
      this.done(line, started, undefined, outcome);
      throw e;
    }
    const status = response.status;
    const outcome = status >= 500 ? String(status) : 'ok';
    if (!response.stream) {
      this.done(line, started, status, outcome);
      return response;
    }
    // A streamed body: the exchange is logged when it ends, with how long it lasted.
    return {
      ...response,
      stream: this.observed(response.stream, (result, bytes) =>
        this.done({ ...line, streamed: true, bytes }, started, status, result ?? outcome),
      ),
    };
  }

  /** Reports the end of a streamed body once: its outcome (undefined when it ended well) and size. */
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
  ): void {
    const seconds = (performance.now() - started) / 1000;
    this.metrics.exchanged('in', outcome, seconds);
    const ms = Math.round(seconds * 10_000) / 10;
    afterThisTurn(() => this.exchangeLog.info({ ...line, status, outcome, ms }, 'xmpp exchange'));
  }
}
