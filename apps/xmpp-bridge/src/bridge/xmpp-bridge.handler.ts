import { Controller, Inject } from '@nestjs/common';
import { DomainError, Xmpp } from '@switchboard/contracts';
import { HandleCommand, NATS_CONNECTION } from '@switchboard/messaging';
import type { NatsConnection } from '@nats-io/transport-node';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { SendHttpRequestUseCase } from './send-http-request.use-case.js';

/** Room for Nest's reply envelope and the headers around a response body. */
const ENVELOPE_BYTES = 2_048;

/** The bridge's NATS commands (the platform bridge only; agents' bridges run without this role). */
@Controller()
export class XmppBridgeHandler {
  constructor(
    private readonly send: SendHttpRequestUseCase,
    private readonly session: XmppSessionService,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  @HandleCommand(Xmpp.HttpRequest)
  async request(input: Xmpp.HttpOverXmppRequest): Promise<Xmpp.HttpOverXmppResponse> {
    const response = await this.send.execute(input);
    assertFitsInNats(response, this.nats.info?.max_payload);
    return response;
  }

  @HandleCommand(Xmpp.Status)
  status(): Xmpp.BridgeStatus {
    return this.session.status();
  }
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
