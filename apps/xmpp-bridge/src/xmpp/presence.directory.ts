// Which full JIDs answer for a peer's bare JID. An IQ sent to a bare JID is answered by the server on
// the account's behalf (RFC 6120 §10.5.3.1), never by the account's clients, so requests need a full
// JID: we subscribe to the presence of every peer in SERVICE_MAP (peers approve subscriptions from
// JIDs they allow) and send to the resources that announce themselves available, round robin.
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';

export class PeerOfflineError extends Error {
  constructor(
    readonly jid: string,
    waitedMs: number,
  ) {
    super(
      `${jid} has no available resource (no presence within ${waitedMs} ms): the peer is offline or has not approved our presence subscription`,
    );
    this.name = 'PeerOfflineError';
  }
}

/** A peer's resource went offline while we were exchanging with it: waiting longer is pointless. */
export class PeerGoneError extends Error {
  constructor(readonly jid: string) {
    super(`${jid} went offline (unavailable presence) while the exchange was in progress`);
    this.name = 'PeerGoneError';
  }
}

interface Waiter {
  resolve(full: string): void;
  reject(e: Error): void;
}

export class PresenceDirectory {
  private readonly resources = new Map<string, string[]>();
  private readonly cursor = new Map<string, number>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Peer resources this session has sent directed presence to. */
  private readonly announced = new Set<string>();

  constructor(
    private readonly peers: readonly string[],
    private readonly options: {
      send(stanza: Element): Promise<void>;
      isAllowed(bare: string): boolean;
      ownBare: string;
      logger: Logger;
      /** A resource (a full JID), or every resource of a bare JID, announced itself unavailable. */
      onGone?(jid: string): void;
    },
  ) {}

  /** After each login: ask every peer for its presence (repeating an approved request is harmless). */
  online(): void {
    // No clearing here: presences that arrived while the login finished are already current.
    for (const peer of this.peers) {
      this.options.send(xml('presence', { to: peer, type: 'subscribe' })).catch(() => undefined);
    }
  }

  /**
   * The session is gone: presences are stale, and requests waiting for one fail at once with `reason`
   * (no presence can arrive before the next login) rather than as an offline peer after the wait.
   */
  offline(reason: Error): void {
    this.resources.clear();
    this.announced.clear();
    const waiting = [...this.waiters.values()];
    this.waiters.clear();
    for (const set of waiting) for (const w of set) w.reject(reason);
  }

  onPresence(presence: Element): void {
    const from = presence.attrs['from'];
    if (!from) return;
    const slash = from.indexOf('/');
    const bare = (slash === -1 ? from : from.slice(0, slash)).toLowerCase();
    const full = slash === -1 ? undefined : `${bare}${from.slice(slash)}`;
    const type = presence.attrs['type'];
    switch (type) {
      case undefined:
        if (full && bare !== this.options.ownBare) this.available(bare, full);
        return;
      case 'unavailable':
        if (full) this.unavailable(bare, full);
        else this.resources.delete(bare);
        if (bare !== this.options.ownBare) this.options.onGone?.(full ?? bare);
        return;
      case 'subscribe': {
        const allowed = this.options.isAllowed(bare);
        this.options
          .send(xml('presence', { to: bare, type: allowed ? 'subscribed' : 'unsubscribed' }))
          .catch(() => undefined);
        this.options.logger.info(
          { from: bare, allowed },
          allowed ? 'approved a presence subscription' : 'refused a presence subscription',
        );
        return;
      }
      case 'error':
        this.options.logger.warn(
          { from, error: presence.getChild('error')?.toString() },
          'presence error',
        );
        return;
      default:
        return;
    }
  }

  private available(bare: string, full: string): void {
    const list = this.resources.get(bare) ?? [];
    if (!list.includes(full)) list.push(full);
    this.resources.set(bare, list);
    const waiting = this.waiters.get(bare);
    if (waiting) {
      this.waiters.delete(bare);
      for (const w of waiting) w.resolve(full);
    }
  }

  private unavailable(bare: string, full: string): void {
    const list = (this.resources.get(bare) ?? []).filter((r) => r !== full);
    if (list.length) this.resources.set(bare, list);
    else this.resources.delete(bare);
  }

  /**
   * Directed presence to a peer resource about to serve us (RFC 6121 §4.6), once per session: when
   * this session ends, the server sends the peer our unavailable presence, and the peer stops what
   * it was still sending us (a streamed response) instead of waiting for its idle limit.
   */
  announceTo(full: string): void {
    if (!full.includes('/') || this.announced.has(full)) return;
    this.announced.add(full);
    this.options.send(xml('presence', { to: full })).catch(() => this.announced.delete(full));
  }

  isOnline(jid: string): boolean {
    return jid.includes('/') || (this.resources.get(jid.toLowerCase())?.length ?? 0) > 0;
  }

  /** A full JID for `jid` (itself when it has a resource), waiting up to `waitMs` for a presence. */
  async resolve(jid: string, waitMs: number): Promise<string> {
    if (jid.includes('/')) return jid;
    const bare = jid.toLowerCase();
    const list = this.resources.get(bare);
    if (list?.length) {
      const i = (this.cursor.get(bare) ?? 0) % list.length;
      this.cursor.set(bare, i + 1);
      return list[i] ?? list[0] ?? bare;
    }
    if (waitMs <= 0) throw new PeerOfflineError(bare, 0);
    return new Promise<string>((resolve, reject) => {
      const set = this.waiters.get(bare) ?? new Set<Waiter>();
      const waiter: Waiter = {
        resolve: (full) => {
          clearTimeout(timer);
          resolve(full);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        set.delete(waiter);
        reject(new PeerOfflineError(bare, waitMs));
      }, waitMs);
      set.add(waiter);
      this.waiters.set(bare, set);
    });
  }
}
