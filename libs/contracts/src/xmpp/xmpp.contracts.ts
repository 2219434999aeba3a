import { z } from 'zod';
import { type CommandContract, defineCommand, type EventContract } from '../define.js';
import { BridgeStatus } from './xmpp.schemas.js';

/** An HTTP body in transit: text as is, anything else base64. */
export const HttpBody = z.object({
  encoding: z.enum(['text', 'base64']),
  data: z.string(),
});
export type HttpBody = z.infer<typeof HttpBody>;

/** Header name/value pairs, in order (names may repeat). Carried verbatim. */
export const HttpHeaders = z
  .array(z.tuple([z.string().min(1).max(256), z.string().max(8_192)]))
  .max(200);

/** A full HTTP request to a host mapped in SERVICE_MAP; the bridge carries it as an XEP-0332 `req`. */
export const HttpOverXmppRequest = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
    url: z.string().url(),
    headers: HttpHeaders.default([]),
    body: HttpBody.optional(),
    /** Per-request timeout; defaults to the bridge's AZTM_XMPP_TIMEOUT. */
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
  })
  .strict();
export type HttpOverXmppRequest = z.infer<typeof HttpOverXmppRequest>;

export const HttpOverXmppResponse = z.object({
  status: z.number().int().min(100).max(599),
  statusText: z.string().optional(),
  headers: HttpHeaders,
  body: HttpBody.optional(),
  /** The JID that answered (for logs and events showing the XMPP hop). */
  via: z.string(),
});
export type HttpOverXmppResponse = z.infer<typeof HttpOverXmppResponse>;

export const HttpRequest = defineCommand({
  subject: 'sb.cmd.xmpp.http.request',
  service: 'xmpp-bridge',
  callers: ['a2a'],
  request: HttpOverXmppRequest,
  response: HttpOverXmppResponse,
  timeoutMs: 60_000,
  description:
    "Carries one HTTP exchange over XMPP (XEP-0332) to the JID that SERVICE_MAP assigns to the URL host. Fails fast with UPSTREAM_UNAVAILABLE while the bridge is disconnected or the peer is offline; NOT_FOUND for an unmapped host; PAYLOAD_TOO_LARGE for a body over the bridge limit (or a reply that does not fit in a NATS message); TIMEOUT when the peer does not answer within timeoutMs; FORBIDDEN when the peer refuses the bridge's JID.",
});

export const Status = defineCommand({
  subject: 'sb.cmd.xmpp.status',
  service: 'xmpp-bridge',
  callers: ['gateway'],
  request: z.object({}).strict(),
  response: BridgeStatus,
  timeoutMs: 2_000,
  description:
    "The XMPP session of the platform bridge answering (one replica): state, current login phase, the last failure diagnosis, reconnect attempts and the peers seen online. Bridges with the NATS command role off (the agents' bridges) do not answer.",
});

/** Every xmpp-bridge contract, for the catalogue. */
export const XMPP_CONTRACTS: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
} = {
  commands: [HttpRequest, Status],
  events: [],
};
