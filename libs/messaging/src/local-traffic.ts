import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CATALOGUE,
  SUBJECT_ROOT,
  TAP_TRAFFIC_PATTERN,
  TAP_WATCH_EVERY_MS,
  TAP_WATCH_HOLD_MS,
  TAP_WATCH_SUBJECT,
  tapSubject,
  subjectMatches,
} from '@switchboard/contracts';
import { z } from 'zod';
import {
  type BusMessage,
  type BusSubscription,
  guardedSubscribe,
  InvalidMessage,
  type SubscribeOptions,
  type SubscriptionObserver,
} from './bus-subscription.js';
import { encodeJson } from './codec.js';

/** Where the copies go: a publish on the caller's own connection (its NATS identity may make it). */
export interface CopyPublisher {
  publish(subject: string, data: Uint8Array): void;
}

/** How long copies wait to be sent together: the watchers see in-process traffic this late at most. */
export const COPY_BATCH_MS = 50;
/** A batch is sent at once when it holds this much (well under NATS' default 1 MiB payload). */
const BATCH_BYTES = 256 * 1024;
/** A copied body larger than this is replaced by its size: watchers are shown, not given, bulk. */
const BODY_BYTES = 64 * 1024;

/**
 * The copies of one service's in-process traffic (requests it sent to services of the same process,
 * and their replies), published together on its tap subject every COPY_BATCH_MS — one NATS message
 * where the same exchange over NATS made two and a round trip — while a watcher says it watches
 * (`heard`, TAP_WATCH_SUBJECT); nobody watching, nothing is copied. At most once, like all core NATS:
 * a copy lost with the connection or the process is lost to the watchers, never to the work.
 */
export class LocalTrafficCopies {
  private pending: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private watchedUntil = -Infinity;

  constructor(
    private readonly publisher: CopyPublisher,
    private readonly subject: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A service's copies on its own connection, on its tap subject; a service that sends commands (the
   * only kind that may copy) listens for the watchers' announcements.
   */
  static of(
    nc: NatsConnection,
    service: string,
    observer: SubscriptionObserver,
  ): LocalTrafficCopies {
    const copies = new LocalTrafficCopies(
      { publish: (subject, data) => nc.publish(subject, data) },
      tapSubject(service),
    );
    if (CATALOGUE.commands.some((c) => (c.callers as readonly string[]).includes(service)))
      guardedSubscribe(nc, TAP_WATCH_SUBJECT, () => copies.heard(), {}, observer);
    return copies;
  }

  /** A watcher said it watches: copies go out for TAP_WATCH_HOLD_MS from now. */
  heard(): void {
    this.watchedUntil = this.now() + TAP_WATCH_HOLD_MS;
  }

  /** Whether anyone said it watches within TAP_WATCH_HOLD_MS. */
  get watched(): boolean {
    return this.now() < this.watchedUntil;
  }

  /**
   * One message as it would have crossed NATS: its subject, reply subject, headers and JSON body —
   * dropped when nobody watches.
   */
  add(subject: string, body: string, opts: { reply?: string; headers?: MsgHdrs } = {}): void {
    if (!this.watched) return;
    const copied =
      body.length > BODY_BYTES
        ? JSON.stringify({ omitted: 'too large to copy', bytes: body.length })
        : body;
    const headers = opts.headers ? [...opts.headers].map(([k, v]) => [k, v[0] ?? '']) : [];
    const record = `{"subject":${JSON.stringify(subject)},${opts.reply ? `"reply":${JSON.stringify(opts.reply)},` : ''}"headers":${JSON.stringify(headers)},"body":${copied}}`;
    this.pending.push(record);
    this.bytes += record.length;
    if (this.bytes >= BATCH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), COPY_BATCH_MS).unref();
  }

  /** Sends what is pending now (also at a service's shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = `[${this.pending.join(',')}]`;
    this.pending = [];
    this.bytes = 0;
    try {
      this.publisher.publish(this.subject, new TextEncoder().encode(batch));
    } catch {
      // The connection is closed or going: copies are at most once.
    }
  }
}

const TapRecord = z
  .object({
    subject: z.string().min(1).max(1024),
    reply: z.string().min(1).max(1024).optional(),
    headers: z.array(z.tuple([z.string(), z.string()])),
    body: z.unknown(),
  })
  .strict();
const TapBatch = z.array(TapRecord);

/**
 * Whether `subject` is the watching's own: one a tap batch travels on, or where watchers say that they
 * watch (TAP_WATCH_SUBJECT). Never shown as a message of its own: a watcher would otherwise see its
 * own announcement as the first thing it watched.
 */
export function isTapSubject(subject: string): boolean {
  return subject.startsWith(`${SUBJECT_ROOT}.tap.`) || subject === TAP_WATCH_SUBJECT;
}

/**
 * The copies a tap batch holds, each as the message it stands for; a VALIDATION-style reason (the
 * field and what is wrong) when the batch is not one.
 */
export function unpackTapBatch(data: Uint8Array): BusMessage[] | string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'not JSON';
  }
  const batch = TapBatch.safeParse(json);
  if (!batch.success) {
    const issue = batch.error.issues[0];
    return `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`;
  }
  return batch.data.map((r) => copiedMessage(r));
}

function copiedMessage(r: z.infer<typeof TapRecord>): BusMessage {
  const headers = natsHeaders();
  for (const [k, v] of r.headers) headers.set(k, v);
  return {
    subject: r.subject,
    data: encodeJson(r.body),
    reply: r.reply,
    headers,
    header: (name) => headers.get(name) || undefined,
    // a copy: the request was answered in its process
    respond: () => false,
  };
}

/**
 * Whether a subscription to `pattern` can take a copied subject (a command `sb.cmd.…` or a reply on an
 * inbox `_INBOX.…`): only those need the tap's copies.
 */
export function mayTakeCopies(pattern: string): boolean {
  const [first, second] = pattern.split('.');
  if (first === '>' || first === '_INBOX') return true;
  if (first === '*') return true;
  return first === SUBJECT_ROOT && (second === '>' || second === '*' || second === 'cmd');
}

type Handler = (message: BusMessage) => void | Promise<void>;
type Subscribe = (subject: string, handler: Handler, opts: SubscribeOptions) => BusSubscription;

/**
 * How a watcher says it watches the copies (TAP_WATCH_SUBJECT): `announce` publishes, `flush`
 * settles once the server has it (so the services hear it before what the watcher does next).
 */
export interface WatchAnnouncer {
  announce(): void;
  flush(): Promise<void>;
}

/**
 * A watcher's side of the copies (TrafficTap): one subscription to every tap subject, shared by the
 * watcher's subscriptions that can take a copied subject, each handed the copies its pattern takes —
 * so a watcher of `sb.cmd.>` sees a request a cell served in-process as if it had crossed NATS.
 */
export class CopiedTraffic {
  private readonly listeners = new Set<{ pattern: string; handler: Handler }>();
  private subscription: BusSubscription | undefined;
  private watching: { ready: Promise<void>; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly subscribe: Subscribe,
    private readonly observer: SubscriptionObserver,
    private readonly announcer?: WatchAnnouncer,
  ) {}

  /**
   * Hands `handler` the copies whose subject `pattern` takes until `remove`; `ready` settles once the
   * server has the tap subscription (or refused it: an identity that may not read the copies still
   * watches the rest).
   */
  add(pattern: string, handler: Handler): { ready: Promise<void>; remove: () => void } {
    const listener = { pattern, handler };
    this.listeners.add(listener);
    this.subscription ??= this.subscribe(TAP_TRAFFIC_PATTERN, (m) => this.deliver(m), {
      label: TAP_TRAFFIC_PATTERN,
    });
    const subscribed = this.subscription.ready.catch(() => undefined);
    this.watching ??= this.startWatching(subscribed);
    return {
      ready: this.watching.ready,
      remove: () => {
        this.listeners.delete(listener);
        if (this.listeners.size > 0) return;
        this.subscription?.unsubscribe();
        this.subscription = undefined;
        clearInterval(this.watching?.timer);
        this.watching = undefined;
      },
    };
  }

  /**
   * Says that it watches once subscribed, and again every TAP_WATCH_EVERY_MS while it does: the
   * services copy only while someone does. Ready once the server has the first announcement.
   */
  private startWatching(subscribed: Promise<void>): NonNullable<typeof this.watching> {
    const announcer = this.announcer;
    const say = () => {
      try {
        announcer?.announce();
      } catch {
        // closed or refused (an identity that may not say it): the services' copies stay off
      }
    };
    const timer = setInterval(say, TAP_WATCH_EVERY_MS).unref();
    const ready = subscribed.then(async () => {
      say();
      await announcer?.flush().catch(() => undefined);
    });
    return { ready, timer };
  }

  private deliver(batch: BusMessage): void {
    const copies = unpackTapBatch(batch.data);
    if (typeof copies === 'string') throw new InvalidMessage(batch.subject, `copies: ${copies}`);
    for (const copy of copies)
      for (const l of this.listeners) {
        if (!subjectMatches(l.pattern, copy.subject)) continue;
        try {
          const done = l.handler(copy);
          if (done && typeof done.then === 'function')
            done.then(undefined, (e: unknown) => this.observer.failed(l.pattern, 'handler', e));
        } catch (e) {
          this.observer.failed(l.pattern, 'handler', e);
        }
      }
  }
}
