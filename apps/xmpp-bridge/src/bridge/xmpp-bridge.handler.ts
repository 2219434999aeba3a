import { Controller, Inject, type OnModuleInit } from '@nestjs/common';
import { DomainError, Xmpp } from '@switchboard/contracts';
import { HandleCommand, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { SendHttpRequestUseCase } from './send-http-request.use-case.js';

/** Room for Nest's reply envelope and the headers around a response body. */
const ENVELOPE_BYTES = 2_048;
/** Room kept for the response's headers when sizing the body limit to max_payload. */
const HEADER_ALLOWANCE_BYTES = 16_384;

/** The bridge's NATS commands (the platform bridge only; agents' bridges run without this role). */
@Controller()
export class XmppBridgeHandler implements OnModuleInit {
  constructor(
    private readonly send: SendHttpRequestUseCase,
    private readonly session: XmppSessionService,
    private readonly bus: NatsBus,
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A body only crosses NATS as base64 JSON: sizes the body limit to the server's max_payload, so a
   * response the server would refuse is refused here, typed and before it is carried over XMPP.
   */
  onModuleInit(): void {
    const maxPayload = this.bus.maxPayload;
    if (!maxPayload) return;
    const fits = bodyLimitFor(maxPayload);
    const configured = this.settings.maxBodyBytes;
    if (fits >= configured) {
      this.logger.info(
        { maxBodyBytes: configured, maxPayload },
        'bodies up to the bridge limit fit in NATS messages',
      );
      return;
    }
    this.send.limitBodies(fits);
    const line =
      `NATS max_payload is ${maxPayload} bytes: bodies over ${fits} bytes (base64 in JSON) cannot cross it, ` +
      `so the bridge refuses them with PAYLOAD_TOO_LARGE` +
      `${this.settings.maxBodyBytesSet ? ` although XMPP_BRIDGE_MAX_BODY_BYTES is ${configured}` : ''}; ` +
      `raise max_payload on the NATS server (infra/docker/nats.conf sets 8 MB) for larger bodies`;
    const context = { maxBodyBytes: fits, configured, maxPayload };
    // The shipped NATS (8 MB) only trims the default a little; a 1 MB server or a setting it
    // overrides is worth a warning.
    if (this.settings.maxBodyBytesSet || fits < 1024 * 1024) this.logger.warn(context, line);
    else this.logger.info(context, line);
  }

  @HandleCommand(Xmpp.HttpRequest)
  async request(input: Xmpp.HttpOverXmppRequest): Promise<Xmpp.HttpOverXmppResponse> {
    const response = await this.send.execute(input);
    assertFitsInNats(response, this.bus.maxPayload);
    return response;
  }

  @HandleCommand(Xmpp.Status)
  status(): Xmpp.BridgeStatus {
    return this.session.status();
  }
}

/** The largest binary body whose reply (base64 in JSON, with headers) fits in `maxPayload` bytes. */
export function bodyLimitFor(maxPayload: number): number {
  return Math.max(0, Math.floor((maxPayload - ENVELOPE_BYTES - HEADER_ALLOWANCE_BYTES) / 4) * 3);
}

/** A reply over max_payload would be dropped by the NATS server and the caller would only time out. */
export function assertFitsInNats(
  response: Xmpp.HttpOverXmppResponse,
  maxPayload: number | undefined,
): void {
  if (!maxPayload) return;
  const headerBytes = response.headers.reduce((n, [k, v]) => n + k.length + v.length + 8, 0);
  // JSON escaping can grow text up to six-fold (\u0000): measure exactly unless it cannot matter.
  const raw = response.body?.data.length ?? 0;
  const worst =
    (response.body?.encoding === 'text' ? raw * 6 : raw) + headerBytes * 6 + ENVELOPE_BYTES;
  if (worst < maxPayload) return;
  const bytes = Buffer.byteLength(JSON.stringify(response)) + ENVELOPE_BYTES;
  if (bytes > maxPayload) {
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `the response (${bytes} bytes as JSON) does not fit in a NATS message (max_payload ${maxPayload} bytes): raise max_payload on the NATS server`,
      { details: { bytes, maxPayload } },
    );
  }
}
