import { CATALOGUE } from './catalogue.js';
import { tenantAuditFilter, tenantChainedAuditFilter } from './audit/audit.contracts.js';
import { tenantTaskEventsFilter } from './task/task.contracts.js';
import {
  type CommandContract,
  type EventContract,
  SERVICE_NAMES,
  type ServiceName,
  SUBJECT_ROOT,
  type StreamContract,
} from './define.js';
import {
  ALL_STREAMS,
  AuditChainedStream,
  AuditStream,
  DeadLetterStream,
  DelegationStateStream,
  TaskEventStream,
  TaskSubmissionStream,
} from './streams.js';
import {
  PUBLISHED_TRAFFIC_PATTERNS,
  REQUEST_TRAFFIC_PATTERNS,
  TAP_TRAFFIC_PATTERN,
  TAP_WATCH_SUBJECT,
  tapSubject,
} from './traffic.js';

/**
 * Who connects to NATS: every service as itself; `operator` for people watching the platform
 * (`switchboard tail`): it reads everything and sends nothing; `admin` for the platform's
 * administrators: it reads what the operator reads and may also send the operator commands (those
 * whose contract names `admin` among its callers: health, the bridge's status, the audit trail's
 * verification and queries), with itself as the acting user it states; and `live`, the gateway's
 * second connection for the console's Live view: it reads the platform's traffic and nothing else —
 * no reply inbox, no stream, no publish at all, no queue group.
 */
export const NATS_IDENTITIES = [...SERVICE_NAMES, 'operator', 'admin', 'live'] as const;
export type NatsIdentity = (typeof NATS_IDENTITIES)[number];

/** What one identity may do on NATS: the allow-lists a nats-server enforces for its user. */
export interface NatsPermissions {
  identity: NatsIdentity;
  /** Subjects it may publish to (wildcards allowed). */
  publish: readonly string[];
  /** Subjects it may subscribe to. */
  subscribe: readonly string[];
  /** Subjects it may not subscribe to: `> *` forbids every queue group (joining one steals work). */
  subscribeDeny: readonly string[];
  /**
   * Replies to the requests it receives (NATS `allow_responses`): each request's reply subject may be
   * published `max` times within `expiresMs` of the request. Absent: it answers no request.
   */
  responses?: { max: number; expiresMs: number };
}

/**
 * The reply subjects of an identity's requests (`<prefix>.<unique>`). Each identity reads only its own
 * inboxes, so no identity sees the answers another one gets.
 */
export function inboxPrefix(identity: NatsIdentity): string {
  return `_INBOX.${identity}`;
}

/**
 * How services use JetStream beyond publishing to streams and consuming what their contracts say they
 * consume: `setUp`, the streams a service creates or updates when it starts (JetStreamService.
 * ensureStreams: what it must find in place before the others run); `lookups`, the streams whose
 * stored messages it reads one by one (JetStreamService.lastMessage); `replays`, the streams it reads
 * back through a consumer of its own (JetStreamService.replay).
 */
const JETSTREAM_USE: Readonly<
  Partial<
    Record<
      ServiceName,
      {
        setUp: readonly StreamContract[];
        lookups: readonly StreamContract[];
        replays?: readonly StreamContract[];
      }
    >
  >
> = {
  gateway: { setUp: [TaskSubmissionStream, TaskEventStream, AuditStream], lookups: [] },
  // (a task's events are read back from its journal in PostgreSQL, not from the stream)
  orchestrator: { setUp: ALL_STREAMS, lookups: [] },
  audit: {
    setUp: [TaskEventStream, AuditStream, AuditChainedStream, DeadLetterStream],
    lookups: [],
  },
  // where each delegation stands, read back when a repeat of it arrives
  a2a: { setUp: [DelegationStateStream], lookups: [DelegationStateStream] },
};

/** The streams `service` reads back through consumers of its own, beyond the events it consumes. */
export function streamsReplayedBy(service: ServiceName): readonly StreamContract[] {
  return JETSTREAM_USE[service]?.replays ?? [];
}

/** The streams `service` reads single messages back from: where it keeps state of its own. */
export function streamsLookedUpBy(service: ServiceName): readonly StreamContract[] {
  return JETSTREAM_USE[service]?.lookups ?? [];
}

/** The streams `service` creates or updates when it starts. */
export function streamsSetUpBy(service: ServiceName): readonly StreamContract[] {
  return JETSTREAM_USE[service]?.setUp ?? [];
}

const JS_API = '$JS.API';

/** Reading a stream's stored messages, one by one (no consumer). */
const streamReads = (s: StreamContract) => [
  `${JS_API}.STREAM.INFO.${s.name}`,
  `${JS_API}.STREAM.MSG.GET.${s.name}`,
];

/**
 * Consumers on a stream (durable or ephemeral, created, read, acked, deleted). Only for the services
 * that read it: whoever creates a consumer chooses where the stream delivers to.
 */
const consumerRights = (s: StreamContract) => [
  `${JS_API}.CONSUMER.CREATE.${s.name}`,
  `${JS_API}.CONSUMER.CREATE.${s.name}.>`,
  `${JS_API}.CONSUMER.DURABLE.CREATE.${s.name}.>`,
  `${JS_API}.CONSUMER.INFO.${s.name}.>`,
  `${JS_API}.CONSUMER.MSG.NEXT.${s.name}.>`,
  `${JS_API}.CONSUMER.DELETE.${s.name}.>`,
  `$JS.ACK.${s.name}.>`,
];

const streamSetup = (s: StreamContract) => [
  `${JS_API}.STREAM.INFO.${s.name}`,
  `${JS_API}.STREAM.CREATE.${s.name}`,
  `${JS_API}.STREAM.UPDATE.${s.name}`,
];

/** The shortest time allowed for answering a request (replies later than that are refused). */
const MIN_RESPONSE_WINDOW_MS = 60_000;

function servicePermissions(service: ServiceName): NatsPermissions {
  const served = CATALOGUE.commands.filter((c) => c.service === service);
  const sent = CATALOGUE.commands.filter((c) => c.callers.includes(service));
  const produced = CATALOGUE.events.filter((e) => e.producers.includes(service));
  const consumed = CATALOGUE.events.filter((e) => e.consumers.includes(service));
  const read = streamsOf(consumed);
  const setUp = streamsSetUpBy(service);
  const lookups = streamsLookedUpBy(service);
  const replays = streamsReplayedBy(service);
  const managesJetStream = read.length + setUp.length + lookups.length + replays.length > 0;
  const publish = [
    ...sent.map((c) => c.pattern),
    // copies of what it sent in-process (in a cell), for the traffic's watchers
    ...(sent.length ? [tapSubject(service)] : []),
    ...produced.map((e) => e.pattern),
    // A streamed reply is many messages on the caller's inbox, for as long as the stream lasts; a
    // command with heartbeats beats under the caller's inbox while it works.
    ...served
      .filter((c) => c.reply === 'stream' || c.liveness === 'heartbeat')
      .flatMap((c) => c.callers.map((caller) => `${inboxPrefix(caller)}.>`)),
    // Publishing to a stream needs nothing more: the stream acknowledges on the publisher's inbox.
    ...(managesJetStream ? [`${JS_API}.INFO`] : []),
    ...setUp.flatMap(streamSetup),
    ...[...read, ...lookups].flatMap(streamReads),
    ...[...new Set([...read, ...replays])].flatMap(consumerRights),
  ];
  const subscribe = [
    ...served.map((c) => c.pattern),
    ...consumed.map((e) => e.pattern),
    `${inboxPrefix(service)}.>`,
    // whether anyone watches the copies of what it sends in-process (it copies only then)
    ...(sent.length ? [TAP_WATCH_SUBJECT] : []),
  ];
  return {
    identity: service,
    publish: sorted(publish),
    subscribe: sorted(subscribe),
    subscribeDeny: [],
    ...(served.length ? { responses: { max: 1, expiresMs: responseWindow(served) } } : {}),
  };
}

/** Twice the longest wait of the commands served (a caller's deadline), at least a minute. */
function responseWindow(served: readonly CommandContract[]): number {
  return Math.max(MIN_RESPONSE_WINDOW_MS, 2 * Math.max(...served.map((c) => c.timeoutMs)));
}

/**
 * The operator reads every platform subject and every reply, and the streams' stored messages one by
 * one (a task's history for the tail); it publishes nothing else: no command, no event, no consumer.
 */
function operatorPermissions(): NatsPermissions {
  return {
    identity: 'operator',
    // and that it watches the copies of in-process traffic (TAP_WATCH_SUBJECT: nobody acts on it)
    publish: sorted([`${JS_API}.INFO`, ...ALL_STREAMS.flatMap(streamReads), TAP_WATCH_SUBJECT]),
    subscribe: sorted([`${SUBJECT_ROOT}.>`, '_INBOX.>']),
    subscribeDeny: ['> *'],
  };
}

/**
 * The administrators' identity: the operator's reading, plus the commands whose contract names `admin`
 * among its callers (and the replies to them, on its own inboxes, which `_INBOX.>` includes). Nothing
 * else: no event, no consumer, no queue group.
 */
function adminPermissions(): NatsPermissions {
  const operator = operatorPermissions();
  const sent = CATALOGUE.commands.filter((c) => c.callers.includes('admin'));
  return {
    ...operator,
    identity: 'admin',
    publish: sorted([...operator.publish, ...sent.map((c) => c.pattern)]),
  };
}

/**
 * The Live view's reader: the platform's traffic subjects (what services publish, and the requests
 * when a viewer asks for them, with the copies of those a cell served in-process), nothing else. It
 * publishes only that it watches the copies (TAP_WATCH_SUBJECT) — so it answers no request and sends
 * no command — and joins no queue group (which would take messages away from a service).
 */
function livePermissions(): NatsPermissions {
  return {
    identity: 'live',
    publish: [TAP_WATCH_SUBJECT],
    subscribe: sorted([
      ...PUBLISHED_TRAFFIC_PATTERNS,
      ...REQUEST_TRAFFIC_PATTERNS,
      TAP_TRAFFIC_PATTERN,
    ]),
    subscribeDeny: ['> *'],
  };
}

function streamsOf(events: readonly EventContract[]): StreamContract[] {
  return [...new Set(events.flatMap((e) => (e.stream ? [e.stream] : [])))];
}

function sorted(subjects: readonly string[]): string[] {
  return [...new Set(subjects)].sort();
}

/** What `identity` may publish and subscribe to, derived from the contracts. */
export function natsPermissions(identity: NatsIdentity): NatsPermissions {
  if (identity === 'operator') return operatorPermissions();
  if (identity === 'admin') return adminPermissions();
  if (identity === 'live') return livePermissions();
  return servicePermissions(identity);
}

/**
 * A tenant operator (docs/tenancy.md): someone who watches one tenant's work on NATS — that
 * tenant's task events and audit records as they are published, and nothing else: no other tenant's,
 * no command, no reply, no stored message (stored ones are read through the API as a tenant admin).
 * The subjects name the tenant, so nats-server itself refuses anything wider.
 */
export interface TenantOperatorPermissions extends Omit<NatsPermissions, 'identity'> {
  /** The nats-server user: `operator-<tenantId>`. */
  identity: string;
  tenantId: string;
}

export function tenantOperatorPermissions(tenantId: string): TenantOperatorPermissions {
  return {
    identity: `operator-${tenantId}`,
    tenantId,
    publish: [],
    subscribe: sorted([
      tenantTaskEventsFilter(tenantId),
      tenantAuditFilter(tenantId),
      tenantChainedAuditFilter(tenantId),
    ]),
    subscribeDeny: ['> *'],
  };
}

/** Every identity's permissions, in NATS_IDENTITIES order. */
export function allNatsPermissions(): NatsPermissions[] {
  return NATS_IDENTITIES.map(natsPermissions);
}
