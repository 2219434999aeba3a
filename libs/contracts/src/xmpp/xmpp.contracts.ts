import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { defineEvent, defineQuery, type DomainContracts } from '../define.js';
import { ErrorBody } from '../errors.js';
import { StreamHeartbeat } from '../stream-liveness.js';
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

/** The HTTP-over-XMPP commands, sb.cmd.xmpp.http.<action>: a2a's XMPP transport sends them. */
const http = commandGroup('sb.cmd.xmpp.http', { callers: ['a2a'] });

export const HttpRequest = http.command('request', {
  request: HttpOverXmppRequest,
  response: HttpOverXmppResponse,
  timeoutMs: 60_000,
  // The peer may take a minute to answer: the caller must tell a lost reply from a slow peer.
  liveness: 'heartbeat',
  description:
    "Carries one HTTP exchange over XMPP (XEP-0332) to the JID that SERVICE_MAP assigns to the URL host. The bridge beats to the caller's `x-sb-heartbeat` subject while the peer has not answered, so a reply lost with the caller's NATS connection fails within a few beats (UPSTREAM_UNAVAILABLE, `responder-silent`) instead of at the timeout. Fails fast with UPSTREAM_UNAVAILABLE while the bridge is disconnected or the peer is offline; NOT_FOUND for an unmapped host; PAYLOAD_TOO_LARGE for a body over the bridge limit (or a reply that does not fit in a NATS message); TIMEOUT when the peer does not answer within timeoutMs; FORBIDDEN when the peer refuses the bridge's JID.",
});

/** A request whose response comes back as it is written (SSE and other streamed bodies). */
export const HttpOverXmppStreamRequest = HttpOverXmppRequest.extend({
  /**
   * Longest silence between two parts of the response before the bridge ends it with TIMEOUT; the
   * bridge's XMPP_BRIDGE_STREAM_IDLE_MS when absent. `timeoutMs` is the wait for the response head.
   */
  idleTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
}).strict();
export type HttpOverXmppStreamRequest = z.infer<typeof HttpOverXmppStreamRequest>;

/** Position of a part in its stream: 0 for the head, then 1, 2, 3… without gaps. */
const Seq = z.number().int().min(0);

/**
 * One message of a streamed response, sent to the request's reply inbox: the `head` first, then
 * `body` parts (the bytes as the peer sent them, base64), then `end` — or `error` at any point. A
 * `heartbeat` (no `seq`) comes every `intervalMs` while the bridge carries the exchange, whatever the
 * peer says: the caller notices a bridge that died within a few intervals.
 */
export const HttpStreamPart = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('head'),
      seq: Seq,
      status: z.number().int().min(100).max(599),
      statusText: z.string().optional(),
      headers: HttpHeaders,
      /** The JID that answered. */
      via: z.string(),
    })
    .strict(),
  z.object({ kind: z.literal('body'), seq: Seq, data: z.base64() }).strict(),
  z.object({ kind: z.literal('end'), seq: Seq }).strict(),
  z.object({ kind: z.literal('error'), seq: Seq, error: ErrorBody }).strict(),
  StreamHeartbeat,
]);
export type HttpStreamPart = z.infer<typeof HttpStreamPart>;

export const HttpStream = http.command('stream', {
  request: HttpOverXmppStreamRequest,
  response: HttpStreamPart,
  reply: 'stream',
  timeoutMs: 60_000,
  description:
    "Like sb.cmd.xmpp.http.request, but the response comes back incrementally: several replies on the request's inbox, a `head` (status, headers, the JID that answered) as soon as the peer sends it, `body` parts as the peer writes them (SSE events are not held back), then `end`; or `error` (the same codes as the request) at any point. Each part has a `seq` (0 for the head, then without gaps). A `heartbeat` part (no seq) comes every XMPP_BRIDGE_STREAM_HEARTBEAT_SECONDS from the moment the bridge takes the request until its last part, so a caller notices a bridge that died within a few heartbeats (NatsBus.requestStream fails it with UPSTREAM_UNAVAILABLE). The timeout is the wait for the head; `idleTimeoutMs` bounds the silence between parts (heartbeats aside). A caller that stops early publishes sb.ctl.xmpp.http.stream.{streamId}.cancel (streamId = the request envelope's id): the bridge then closes the XMPP stream and the peer aborts its local HTTP request.",
});

export const HttpStreamCancel = defineEvent({
  template: 'sb.ctl.xmpp.http.stream.{streamId}.cancel',
  tokens: ['streamId'],
  payload: z.object({ reason: z.string().max(500).optional() }).strict(),
  delivery: 'at-most-once',
  producers: ['a2a'],
  consumers: ['xmpp-bridge'],
  description:
    'The caller of an sb.cmd.xmpp.http.stream request stopped reading (done early, cancelled, or timed out): every bridge replica hears it, and the one carrying the stream closes it towards the peer (XEP-0332 <close/>), which aborts its local HTTP request.',
});

export const Status = defineQuery({
  subject: 'sb.cmd.xmpp.status',
  // The gateway asks for the console's agent presence; administrators (the `admin` identity) too.
  callers: ['gateway', 'admin'],
  request: NoArguments,
  response: BridgeStatus,
  timeoutMs: 2_000,
  description:
    "The XMPP session of the platform bridge answering (one replica): state, current login phase, the last failure diagnosis, reconnect attempts and the peers seen online. Bridges with the NATS command role off (the agents' bridges) do not answer.",
});

/** Every xmpp-bridge contract, for the catalogue. */
export const XMPP_CONTRACTS: DomainContracts = {
  commands: [HttpRequest, HttpStream, Status],
  events: [HttpStreamCancel],
};
