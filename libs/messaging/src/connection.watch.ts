import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The state of the NATS connection as requests need it. A request published while the connection is
 * down is lost (the client does not deliver it after reconnecting, measured with nats.js 3.4), and a
 * reply sent while the requester is away is lost too (core NATS keeps nothing for an absent inbox): so
 * requests wait for the connection before they are sent, and repeatable ones in flight are told when it
 * drops, to be sent again rather than wait for a reply that cannot come.
 */
export class ConnectionWatch {
  private up = true;
  /** The last probe's verdict: a connection the client holds as up may still not be answered. */
  private responsive = true;
  private readonly onLost = new Set<() => void>();
  private readonly onUp = new Set<() => void>();
  /** Waiters of whenConnected: told when the connection becomes usable, by reconnection or probe. */
  private readonly onUsable = new Set<() => void>();

  constructor(nc: Pick<NatsConnection, 'status'>) {
    // Test doubles have no status; a real connection always has.
    if (typeof nc.status !== 'function') return;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.up = false;
          for (const lost of [...this.onLost]) lost();
        } else if (s.type === 'reconnect') {
          this.up = true;
          // A new connection: whatever the last probe of the old one said no longer holds.
          this.responsive = true;
          for (const up of [...this.onUp]) up();
          for (const usable of [...this.onUsable]) usable();
        }
      }
    })().catch(() => undefined);
  }

  get connected(): boolean {
    return this.up;
  }

  /** Up, and the server answered the last probe (see NatsLifecycle): what a request needs. */
  get usable(): boolean {
    return this.up && this.responsive;
  }

  /** Records a probe's outcome (a round trip to the server, or none in time). */
  probed(answered: boolean): void {
    const was = this.usable;
    this.responsive = answered;
    if (!was && this.usable) for (const usable of [...this.onUsable]) usable();
  }

  /** Resolves true once the connection is usable (at once if it is), false after `ms` without it. */
  whenConnected(ms: number): Promise<boolean> {
    if (this.usable) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.onUsable.delete(usable);
        resolve(value);
      };
      const usable = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.onUsable.add(usable);
    });
  }

  /** Calls `lost` each time the connection drops and `up` each time it is back, until the returned function is called. */
  follow(lost: () => void, up: () => void): () => void {
    this.onLost.add(lost);
    this.onUp.add(up);
    return () => {
      this.onLost.delete(lost);
      this.onUp.delete(up);
    };
  }

  /** `p`, or a rejection with `lost()` as soon as the connection drops before `p` settles. */
  race<T>(p: Promise<T>, lost: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onLost = () => reject(lost());
      this.onLost.add(onLost);
      p.then(resolve, reject).finally(() => this.onLost.delete(onLost));
    });
  }
}
