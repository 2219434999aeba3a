import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsIdentity } from '@switchboard/contracts';
import type { Metrics } from '@switchboard/observability';
import { type NatsSettings, natsConnectionOptions } from './messaging.options.js';
import { NatsBus } from './nats-bus.service.js';

export interface BusConnectionOptions {
  /** The connection's name, as the server's monitoring shows it. */
  name: string;
  nats: NatsSettings;
  /** Who it sends as: its `x-sb-source` and its reply inboxes (`_INBOX.<identity>`). */
  identity: NatsIdentity;
  instance: string;
  metrics: Metrics;
  /** How often to try again after the connection drops before giving up; default: forever. */
  reconnectAttempts?: number;
}

/**
 * A NatsBus on a connection of its own, outside a Nest application: for a tool that sends commands
 * as an operator identity (the CLI's `call` and `audit verify`, as `admin`), with the same envelope,
 * validation, typed errors and retry policy as the services' requests.
 */
export class BusConnection {
  private constructor(
    readonly bus: NatsBus,
    private readonly nc: NatsConnection,
  ) {}

  /** Connects; rejects when the server cannot be reached or refuses the credentials. */
  static async open(opts: BusConnectionOptions): Promise<BusConnection> {
    const nc = await connect({
      ...natsConnectionOptions(opts.name, opts.nats, opts.identity),
      ...(opts.reconnectAttempts !== undefined
        ? { maxReconnectAttempts: opts.reconnectAttempts }
        : {}),
    });
    const bus = new NatsBus(
      nc,
      { service: opts.identity, instance: opts.instance, nats: opts.nats },
      opts.metrics,
    );
    return new BusConnection(bus, nc);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}
