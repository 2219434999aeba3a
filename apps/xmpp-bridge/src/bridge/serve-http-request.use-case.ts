import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings, isAllowedJid } from '../config/bridge-settings.js';
import type { HttpRequestMessage, HttpResponseMessage } from '../http/http-message.js';
import type { HttpRequestServer } from '../xmpp/http-over-xmpp.transport.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { BridgeMetrics } from './bridge.metrics.js';
import { LocalHttpForwarder } from './local-http.forwarder.js';
import { bareOf } from '../config/jid.js';

/**
 * Server mode: HTTP requests that allowed JIDs send to this bridge's JID go to the local HTTP target,
 * and its response goes back. Requests from any other JID are refused before their body is read.
 */
@Injectable()
export class ServeHttpRequestUseCase implements HttpRequestServer, OnModuleInit {
  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly session: XmppSessionService,
    private readonly forwarder: LocalHttpForwarder,
    private readonly metrics: BridgeMetrics,
  ) {}

  onModuleInit(): void {
    if (this.settings.serverMode) this.session.transport.serve(this);
  }

  authorize(bare: string): boolean {
    const allowed = isAllowedJid(this.settings.allowedJids, bare);
    if (!allowed) this.metrics.exchanges.inc({ direction: 'in', outcome: 'FORBIDDEN' });
    return allowed;
  }

  async handle(from: string, request: HttpRequestMessage): Promise<HttpResponseMessage> {
    const started = performance.now();
    let outcome = 'ok';
    let status: number | undefined;
    try {
      const response = await this.forwarder.forward(request, bareOf(from));
      status = response.status;
      if (response.status >= 500) outcome = String(response.status);
      return response;
    } catch (e) {
      outcome = e instanceof DomainError ? e.code : 'INTERNAL';
      this.logger.warn(
        {
          from,
          method: request.method,
          resource: request.resource.slice(0, 200),
          err: (e as Error).message,
        },
        'incoming HTTP request failed',
      );
      throw e;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.metrics.exchanges.inc({ direction: 'in', outcome });
      this.metrics.exchangeSeconds.observe({ direction: 'in' }, seconds);
      // Path only: a query string may carry credentials.
      const path = request.resource.split('?')[0]?.slice(0, 200);
      this.logger.info(
        {
          direction: 'in',
          from: bareOf(from),
          method: request.method,
          path,
          status,
          outcome,
          ms: Math.round(seconds * 10_000) / 10,
        },
        'xmpp exchange',
      );
    }
  }
}
