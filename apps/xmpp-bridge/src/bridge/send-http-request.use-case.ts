import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type Xmpp } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import { headerValue, type HttpRequestMessage, isTextBody } from '../http/http-message.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { BridgeMetrics } from './bridge.metrics.js';

/**
 * The platform's HTTP request to a mapped host, carried over XMPP to the host's JID (SERVICE_MAP),
 * and the peer's response back. Fails fast when the session is down or the host is not mapped.
 */
@Injectable()
export class SendHttpRequestUseCase {
  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    private readonly session: XmppSessionService,
    private readonly metrics: BridgeMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

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

  async execute(input: Xmpp.HttpOverXmppRequest): Promise<Xmpp.HttpOverXmppResponse> {
    const started = performance.now();
    let outcome = 'ok';
    // One info line per exchange, so operators see traffic crossing XMPP. Path only: a query string
    // may carry credentials.
    const line: Record<string, unknown> = { direction: 'out', method: input.method };
    try {
      const url = new URL(input.url);
      Object.assign(line, { host: url.host, path: url.pathname });
      const jid = this.jidFor(url);
      line['to'] = jid;
      const headers = [...input.headers];
      // The XMPP hop drops the URL's authority: keep it in Host, as any HTTP client would send it.
      if (headerValue(headers, 'host') === undefined) headers.unshift(['Host', url.host]);
      const request: HttpRequestMessage = {
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
      };
      const response = await this.session.transport.exchange(
        jid,
        request,
        input.timeoutMs ?? this.settings.xmpp.timeoutMs,
      );
      const body = response.body;
      Object.assign(line, { status: response.status, bytes: body?.length ?? 0 });
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
      const seconds = (performance.now() - started) / 1000;
      this.metrics.exchanges.inc({ direction: 'out', outcome });
      this.metrics.exchangeSeconds.observe({ direction: 'out' }, seconds);
      this.logger.info(
        { ...line, outcome, ms: Math.round(seconds * 10_000) / 10 },
        'xmpp exchange',
      );
    }
  }
}
