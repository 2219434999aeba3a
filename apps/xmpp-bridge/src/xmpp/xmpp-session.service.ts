import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Xmpp } from '@switchboard/contracts';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import { BridgeMetrics } from '../bridge/bridge.metrics.js';
import { BRIDGE_SETTINGS, type BridgeSettings, isAllowedJid } from '../config/bridge-settings.js';
import { Disco } from './disco.js';
import { HttpOverXmppTransport } from './http-over-xmpp.transport.js';
import { PresenceDirectory } from './presence.directory.js';
import { XmppConnection } from './xmpp-connection.js';
import { bareOf } from '@switchboard/config';

/**
 * The bridge's XMPP side as one Nest provider: logs in while the application boots (a failed login
 * stops the start with its one-line diagnosis), reconnects on its own, and reports to /readiness.
 */
@Injectable()
export class XmppSessionService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly connection: XmppConnection;
  readonly directory: PresenceDirectory;
  readonly transport: HttpOverXmppTransport;
  /** Who else reads incoming messages (approval answers); HTTP over XMPP ignores what is not its own. */
  private readonly messageListeners: ((message: Element) => void)[] = [];

  constructor(
    @Inject(BRIDGE_SETTINGS) private readonly settings: BridgeSettings,
    @Inject(LOGGER) logger: Logger,
    private readonly readiness: ReadinessRegistry,
    metrics: BridgeMetrics,
  ) {
    const xmppLogger = logger.child({ component: 'xmpp' }, { level: settings.xmppLogLevel });
    const disco = new Disco(settings.serverMode);
    const peers = [...new Set([...settings.serviceMap.values()].map(bareOf))];
    // Hooks resolve their targets lazily: they only fire once the session has started.
    this.directory = new PresenceDirectory(peers, {
      send: (stanza) => this.connection.send(stanza),
      isAllowed: (bare) => settings.serverMode && isAllowedJid(settings.allowedJids, bare),
      ownBare: settings.xmpp.bare,
      logger: xmppLogger,
      onGone: (jid) => this.transport.onPeerGone(jid),
    });
    this.connection = new XmppConnection(settings.xmpp, xmppLogger, {
      presence: () => disco.presence(),
      onOnline: () => {
        metrics.connected.set(1);
        this.directory.online();
      },
      onOffline: (error) => {
        metrics.connected.set(0);
        this.transport.onOffline(error);
      },
      onLogin: (outcome) => metrics.logins.inc({ outcome }),
      onPresence: (p) => this.directory.onPresence(p),
      onMessage: (m) => {
        this.transport.onMessage(m);
        for (const listener of this.messageListeners) listener(m);
      },
    });
    this.transport = new HttpOverXmppTransport(
      this.connection,
      this.directory,
      {
        inlineMaxBytes: settings.inlineMaxBytes,
        chunkBytes: settings.chunkBytes,
        maxBodyBytes: settings.maxBodyBytes,
        presenceWaitMs: settings.presenceWaitMs,
        dialect: settings.dialect,
        bodyTimeoutMs: settings.targetTimeoutMs,
      },
      xmppLogger,
    );
    disco.register(this.connection);
  }

  /** `listener` gets every incoming message too; it must not throw (the client's callback). */
  onMessage(listener: (message: Element) => void): void {
    this.messageListeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('xmpp', async () => {
      if (!this.connection.online) throw new Error(this.connection.describeOutage());
    });
    await this.connection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.stop();
  }

  status(): Xmpp.BridgeStatus {
    return {
      ...this.connection.status(),
      serverMode: this.settings.serverMode,
      peers: [...this.settings.serviceMap.entries()].map(([host, jid]) => ({
        host,
        jid,
        online: this.directory.isOnline(jid),
      })),
    };
  }
}
