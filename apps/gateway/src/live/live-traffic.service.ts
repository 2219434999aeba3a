import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, natsConnectionSettings } from '@switchboard/config';
import {
  type Gateway,
  PUBLISHED_TRAFFIC_PATTERNS,
  REQUEST_TRAFFIC_PATTERNS,
} from '@switchboard/contracts';
import {
  type BusMessage,
  type BusSubscription,
  NatsBus,
  subscriptionObserver,
  type TrafficSource,
  TrafficTap,
} from '@switchboard/messaging';
import { LOGGER, type Logger, Metrics } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import { type LiveMessage, toLiveMessage } from './live-message.js';

export type LiveListener = (m: LiveMessage) => void;

/** What a viewer can see: the patterns watched, and those NATS refused (contracts: Gateway.LiveStatus). */
export type LiveStatus = Gateway.LiveStatus;

/** The subscriptions of one kind of traffic, held while someone watches it. */
class Feed {
  readonly listeners = new Set<LiveListener>();
  /** Told when the server refuses a subscription after the viewer was told what it sees. */
  readonly changes = new Set<() => void>();
  private subscriptions: BusSubscription[] = [];

  constructor(
    readonly patterns: readonly string[],
    private readonly decode: (m: BusMessage) => LiveMessage,
  ) {}

  add(source: TrafficSource, listener: LiveListener, changed: () => void): void {
    this.listeners.add(listener);
    this.changes.add(changed);
    if (this.subscriptions.length > 0) return;
    this.subscriptions = this.patterns.map((pattern) =>
      source.subscribeRaw(pattern, (m) => this.deliver(m), {
        onRefused: () => {
          for (const c of [...this.changes]) c();
        },
      }),
    );
  }

  /** Settles once the server has answered for every subscription (refusals included). */
  settled(): Promise<unknown> {
    return Promise.allSettled(this.subscriptions.map((s) => s.ready));
  }

  watching(): string[] {
    return this.subscriptions.filter((s) => s.refusal === undefined).map((s) => s.subject);
  }

  refused(): LiveStatus['refused'] {
    return this.subscriptions.flatMap((s) =>
      s.refusal === undefined ? [] : [{ pattern: s.subject, reason: s.refusal }],
    );
  }

  remove(listener: LiveListener, changed: () => void): void {
    this.listeners.delete(listener);
    this.changes.delete(changed);
    if (this.listeners.size > 0) return;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }

  private deliver(m: BusMessage): void {
    if (this.listeners.size === 0) return;
    const live = this.decode(m);
    for (const l of this.listeners) l(live);
  }
}

/**
 * The platform's NATS traffic for the Live view, each message decoded and redacted once and shared by
 * every viewer (who filter what they receive). It is read on a connection of its own as the read-only
 * `live` identity (LIVE_NATS_*): the gateway's own identity may not read that traffic. Without those
 * settings the gateway's connection is used, which works on a NATS without the platform's identities
 * and is refused on one with them — the viewer is then told what it may not see, never left hanging.
 * What services publish is subscribed while anyone watches; commands and health requests only while a
 * viewer asked for them, because a listener on a request subject defeats NATS' "no responders"
 * answer (a request to a service with no replica would wait for its timeout instead of failing at once).
 */
@Injectable()
export class LiveTraffic implements OnModuleDestroy {
  private readonly published: Feed;
  private readonly requests: Feed;
  private tap: Promise<TrafficTap> | undefined;

  constructor(
    private readonly bus: NatsBus,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const decode = (msg: BusMessage) =>
      toLiveMessage(
        { subject: msg.subject, data: msg.data, header: msg.header },
        config.LIVE_MAX_PAYLOAD_BYTES,
      );
    this.published = new Feed(PUBLISHED_TRAFFIC_PATTERNS, decode);
    this.requests = new Feed(REQUEST_TRAFFIC_PATTERNS, decode);
  }

  /** Who the traffic is read as. */
  get identity(): LiveStatus['identity'] {
    return this.liveCredentials() ? 'live' : 'gateway';
  }

  /**
   * Starts delivering to `listener`; resolves, once the server has answered for each subscription,
   * with what the viewer sees and a function that stops it. `changed` is told of a refusal that
   * comes later (with the new status).
   */
  async watch(
    listener: LiveListener,
    opts: { requests: boolean; changed: (status: LiveStatus) => void },
  ): Promise<{ status: LiveStatus; stop: () => void }> {
    const feeds = opts.requests ? [this.published, this.requests] : [this.published];
    let source: TrafficSource;
    try {
      source = await this.source();
    } catch (e) {
      const reason = `cannot connect to NATS as the live identity: ${(e as Error).message}`;
      const refused = feeds.flatMap((f) => f.patterns.map((pattern) => ({ pattern, reason })));
      return { status: { identity: this.identity, watching: [], refused }, stop: () => undefined };
    }
    // Refusals before the first answer are part of it; only later ones are told as changes.
    let answered = false;
    const changed = () => {
      if (answered) opts.changed(this.statusOf(feeds));
    };
    for (const feed of feeds) feed.add(source, listener, changed);
    await Promise.all(feeds.map((f) => f.settled()));
    answered = true;
    return {
      status: this.statusOf(feeds),
      stop: () => {
        for (const feed of feeds) feed.remove(listener, changed);
      },
    };
  }

  private statusOf(feeds: Feed[]): LiveStatus {
    return {
      identity: this.identity,
      watching: feeds.flatMap((f) => f.watching()),
      refused: feeds.flatMap((f) => f.refused()),
    };
  }

  /** The `live` identity's connection, opened on first use (again after a failed attempt). */
  private source(): Promise<TrafficSource> {
    const live = this.liveCredentials();
    if (!live) return Promise.resolve(this.bus);
    // The servers and TLS of the gateway's connection; the credentials of the live identity only.
    const { user, pass, token, credsFile, nkeySeedFile, ...where } = natsConnectionSettings(
      this.config,
    );
    void [user, pass, token, credsFile, nkeySeedFile];
    this.tap ??= TrafficTap.open({
      name: 'gateway:live',
      nats: { ...where, ...live },
      identity: 'live',
      observer: subscriptionObserver(this.metrics, this.logger),
    }).catch((e: unknown) => {
      this.tap = undefined;
      this.logger.error({ reason: (e as Error).message }, 'could not connect to NATS as live');
      throw e;
    });
    return this.tap;
  }

  /** The live identity's credentials as configured (LIVE_NATS_*), replacing the gateway's own. */
  private liveCredentials():
    { user?: string; pass?: string; nkeySeedFile?: string; credsFile?: string } | undefined {
    const c = this.config;
    if (c.LIVE_NATS_USER) return { user: c.LIVE_NATS_USER, pass: c.LIVE_NATS_PASSWORD ?? '' };
    if (c.LIVE_NATS_NKEY_SEED_FILE) return { nkeySeedFile: c.LIVE_NATS_NKEY_SEED_FILE };
    if (c.LIVE_NATS_CREDS_FILE) return { credsFile: c.LIVE_NATS_CREDS_FILE };
    return undefined;
  }

  async onModuleDestroy(): Promise<void> {
    for (const feed of [this.published, this.requests])
      for (const l of [...feed.listeners]) feed.remove(l, () => undefined);
    await (await this.tap?.catch(() => undefined))?.close();
  }
}
