import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { APP_CONFIG } from '@switchboard/config';
import { PUBLISHED_TRAFFIC_PATTERNS, REQUEST_TRAFFIC_PATTERNS } from '@switchboard/contracts';
import { NATS_CONNECTION } from '@switchboard/messaging';
import type { GatewayEnv } from '../config/gateway.env.js';
import { type LiveMessage, toLiveMessage } from './live-message.js';

export type LiveListener = (m: LiveMessage) => void;

/** The subscriptions of one kind of traffic, held while someone watches it. */
class Feed {
  readonly listeners = new Set<LiveListener>();
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly patterns: readonly string[],
    private readonly decode: (m: Msg) => LiveMessage,
  ) {}

  add(listener: LiveListener): void {
    this.listeners.add(listener);
    if (this.subscriptions.length > 0) return;
    this.subscriptions = this.patterns.map((pattern) =>
      this.nc.subscribe(pattern, {
        callback: (_err, msg) => {
          if (this.listeners.size === 0) return;
          const live = this.decode(msg);
          for (const l of this.listeners) l(live);
        },
      }),
    );
  }

  remove(listener: LiveListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size > 0) return;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
  }
}

/**
 * The platform's NATS traffic for the Live view, each message decoded and redacted once and shared by
 * every viewer (who filter what they receive). What services publish is subscribed while anyone
 * watches; commands and health requests only while a viewer asked for them, because a listener on a
 * request subject defeats NATS' "no responders" answer (a request to a service with no replica would
 * wait for its timeout instead of failing at once).
 */
@Injectable()
export class LiveTraffic implements OnModuleDestroy {
  private readonly published: Feed;
  private readonly requests: Feed;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(APP_CONFIG) config: GatewayEnv,
  ) {
    const decode = (msg: Msg) =>
      toLiveMessage(
        {
          subject: msg.subject,
          data: msg.data,
          header: (name) => msg.headers?.get(name) || undefined,
        },
        config.LIVE_MAX_PAYLOAD_BYTES,
      );
    this.published = new Feed(nc, PUBLISHED_TRAFFIC_PATTERNS, decode);
    this.requests = new Feed(nc, REQUEST_TRAFFIC_PATTERNS, decode);
  }

  /** Starts delivering to `listener`; resolves once the server has the subscriptions. */
  async watch(listener: LiveListener, opts: { requests: boolean }): Promise<() => void> {
    this.published.add(listener);
    if (opts.requests) this.requests.add(listener);
    await this.nc.flush();
    return () => {
      this.published.remove(listener);
      this.requests.remove(listener);
    };
  }

  onModuleDestroy(): void {
    for (const feed of [this.published, this.requests])
      for (const l of [...feed.listeners]) feed.remove(l);
  }
}
