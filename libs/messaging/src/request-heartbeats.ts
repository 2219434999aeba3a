// Liveness of single-reply requests whose work may take a while (`liveness: 'heartbeat'` commands):
// the caller names a subject under its own inbox prefix in the request's `x-sb-heartbeat` header and
// its interval in `x-sb-heartbeat-interval` (its NATS_COMMAND_HEARTBEAT_MS, COMMAND_HEARTBEAT_MS by
// default), the responder beats there at that interval while it works (CommandServer), and the caller
// takes the responder for gone after STREAM_HEARTBEAT_MISSES silent intervals — seconds, not the timeout.
import {
  COMMAND_HEARTBEAT_MS,
  type CommandContract,
  DomainError,
  HEARTBEAT_INTERVAL_MS,
  Headers as H,
  inboxPrefix,
  type NatsIdentity,
  STREAM_HEARTBEAT_MISSES,
} from '@switchboard/contracts';
import { createInbox, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  type BusSubscription,
  guardedSubscribe,
  IGNORED_FAILURES,
  type SubscriptionObserver,
} from './bus-subscription.js';
import type { ConnectionWatch } from './connection.watch.js';
import { ResponderSilentError } from './messaging.errors.js';

/** The heartbeat subject of one request, and a promise that rejects once its responder fell silent. */
export interface HeartbeatTicket {
  subject: string;
  /** Rejects with ResponderSilentError; never resolves. Settles nothing after close(). */
  silent: Promise<never>;
  close(): void;
}

/** Subjects a responder may beat to: an inbox, as the header names it (checked by CommandServer). */
const INBOX_SUBJECT = /^_INBOX\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

export function isHeartbeatSubject(subject: string): boolean {
  return subject.length <= 256 && INBOX_SUBJECT.test(subject);
}

/**
 * The responder's side: where and how often a request on `subject` asks to be sent heartbeats (none:
 * undefined), or the VALIDATION error naming a header that is not an inbox or not an interval within
 * HEARTBEAT_INTERVAL_MS. A request naming no interval gets COMMAND_HEARTBEAT_MS (callers before it).
 */
export function requestedHeartbeats(
  subject: string,
  headers: MsgHdrs | undefined,
): { to: string; intervalMs: number } | DomainError | undefined {
  const to = headers?.get(H.heartbeat) || undefined;
  if (to === undefined) return undefined;
  const invalid = (header: string, rule: string, message: string) =>
    new DomainError(
      'VALIDATION',
      `request on ${subject} has an invalid ${header} header: ${rule}`,
      {
        details: { issues: [{ path: `(header ${header})`, message }] },
      },
    );
  if (!isHeartbeatSubject(to))
    return invalid(H.heartbeat, 'it must name an inbox subject (_INBOX.…)', 'not an inbox');
  const asked = headers?.get(H.heartbeatInterval) || undefined;
  if (asked === undefined) return { to, intervalMs: COMMAND_HEARTBEAT_MS };
  const intervalMs = Number(asked);
  const { min, max } = HEARTBEAT_INTERVAL_MS;
  if (!/^\d+$/.test(asked) || intervalMs < min || intervalMs > max)
    return invalid(
      H.heartbeatInterval,
      `it must be a whole number of milliseconds from ${min} to ${max}`,
      `not an interval of ${min}–${max} ms`,
    );
  return { to, intervalMs };
}

/**
 * The caller's side: one wildcard subscription under the connection's inbox prefix (the only inboxes
 * its NATS identity may read), opened on first use; each request gets its own subject below it. The
 * silence is counted from the moment the request is sent — the responder's first beat comes one
 * interval after it took the request — and not while this client itself is cut from NATS (then the
 * silence is ours: the count starts again once the connection is back).
 */
export class RequestHeartbeats {
  private readonly live = new Map<string, () => void>();
  private prefix: string | undefined;
  private sub: BusSubscription | undefined;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly identity: NatsIdentity,
    private readonly connection: ConnectionWatch,
    private readonly observer: SubscriptionObserver = IGNORED_FAILURES,
    /** The interval asked of responders (`x-sb-heartbeat-interval`) and counted in silence. */
    readonly intervalMs = COMMAND_HEARTBEAT_MS,
    private readonly misses = STREAM_HEARTBEAT_MISSES,
  ) {}

  open(contract: CommandContract): HeartbeatTicket {
    const prefix = this.subscribe();
    const subject = `${prefix}.${(this.next++).toString(36)}`;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let heard = performance.now();
    const limitMs = this.intervalMs * this.misses;
    const silent = new Promise<never>((_resolve, reject) => {
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(check, ms);
        timer.unref();
      };
      const check = () => {
        if (closed) return;
        if (!this.connection.connected) {
          // Cut from NATS ourselves: beats cannot arrive; count afresh once reconnected.
          void this.connection.whenConnected(limitMs).then(() => {
            heard = performance.now();
            if (!closed) arm(limitMs);
          });
          return;
        }
        const silentMs = performance.now() - heard;
        if (silentMs < limitMs) return arm(limitMs - silentMs);
        reject(new ResponderSilentError(contract.subject, contract.service, Math.round(silentMs)));
      };
      this.live.set(subject, () => {
        heard = performance.now();
      });
      arm(limitMs);
    });
    // A request answered before any verdict leaves this promise pending; nobody need handle it.
    silent.catch(() => undefined);
    return {
      subject,
      silent,
      close: () => {
        closed = true;
        clearTimeout(timer);
        this.live.delete(subject);
      },
    };
  }

  close(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
  }

  private subscribe(): string {
    if (this.prefix) return this.prefix;
    const prefix = createInbox(`${inboxPrefix(this.identity)}.hb`);
    this.sub = guardedSubscribe(
      this.nc,
      `${prefix}.*`,
      (msg) => this.live.get(msg.subject)?.(),
      { label: `${inboxPrefix(this.identity)}.hb.*` },
      this.observer,
    );
    this.prefix = prefix;
    return prefix;
  }
}
