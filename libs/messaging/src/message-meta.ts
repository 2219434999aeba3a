import {
  Actor,
  DomainError,
  Headers as H,
  NATS_IDENTITIES,
  type NatsIdentity,
} from '@switchboard/contracts';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { injectTraceContext, requestContext, type TraceContext } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';

/** What a handler knows about the message besides its payload. */
export interface MessageMeta {
  subject: string;
  correlationId: string;
  /** The acting user, when the sender authenticated one. Handlers enforce roles with it. */
  actor?: Actor;
  /**
   * Whose inbox the reply goes to (`_INBOX.<identity>.…`, see `replyIdentityOf`): the one service that
   * can read the answer under the per-service NATS permissions. Not proof of who sent the request (a
   * sender may name another's inbox, and then never sees the answer); proof of who receives it.
   */
  replyTo?: NatsIdentity;
}

/**
 * The identity that reads a reply on `reply`: every connection replies on its identity's own inboxes
 * (`_INBOX.<identity>.…`, natsConnectionOptions) and its NATS user may read no other service's. What
 * a handler may put in a reply for one service only (the orchestrator's audit records) depends on it.
 */
export function replyIdentityOf(reply: string | undefined): NatsIdentity | undefined {
  const m = /^_INBOX\.([A-Za-z0-9_-]+)\./.exec(reply ?? '');
  const id = m?.[1];
  return (NATS_IDENTITIES as readonly string[]).includes(id ?? '')
    ? (id as NatsIdentity)
    : undefined;
}

export interface OutgoingOptions {
  /** Overrides the actor taken from the current request context. */
  actor?: Actor;
  correlationId?: string;
  /** The trace to carry on (default: the active one). */
  traceContext?: TraceContext;
}

/** Builds the headers of an outgoing message from the current context (correlation, actor, trace). */
export function buildHeaders(source: string, opts: OutgoingOptions = {}): MsgHdrs {
  const ctx = requestContext.get();
  const h = natsHeaders();
  h.set(H.correlationId, opts.correlationId ?? ctx?.correlationId ?? randomUUID());
  h.set(H.source, source);
  const actor = opts.actor ?? ctx?.actor;
  if (actor) {
    h.set(H.userId, actor.userId);
    h.set(H.userRole, actor.role);
    if (actor.email) h.set(H.userEmail, actor.email);
    if (actor.tenantId) h.set(H.tenantId, actor.tenantId);
  }
  injectTraceContext((k, v) => h.set(k, v), opts.traceContext);
  return h;
}

/** Reads meta from incoming headers. An actor header that does not validate is ignored (no actor). */
export function readMeta(subject: string, h: MsgHdrs | undefined): MessageMeta {
  const correlationId = h?.get(H.correlationId) || randomUUID();
  const userId = h?.get(H.userId);
  const role = h?.get(H.userRole);
  const email = h?.get(H.userEmail);
  const tenantId = h?.get(H.tenantId);
  const parsed = userId
    ? Actor.safeParse({
        userId,
        role: role || undefined,
        ...(email ? { email } : {}),
        ...(tenantId ? { tenantId } : {}),
      })
    : undefined;
  return { subject, correlationId, ...(parsed?.success ? { actor: parsed.data } : {}) };
}

/** What a NATS hop's span says about its message (OpenTelemetry messaging conventions). */
export function natsSpanAttributes(
  subject: string,
  operation: 'send' | 'receive' | 'process',
): Record<string, string> {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.operation.type': operation,
  };
}

/**
 * The user a command acts for. The gateway (or the service asking on a user's behalf) names one on
 * every command that reads or changes a user's things; one without is refused as UNAUTHORIZED.
 */
export function requireActor(actor: Actor | undefined): Actor {
  if (!actor)
    throw new DomainError('UNAUTHORIZED', `no acting user on the request (${H.userId} header)`);
  return actor;
}
