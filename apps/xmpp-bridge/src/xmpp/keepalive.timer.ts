// When to ping the server: after every keepaliveMs of silence from it. Anything received counts as a
// sign of life, so a busy session sends no pings. What an unanswered ping means is the connection's
// call (it passes `ping`); this only keeps the time.
export class KeepaliveTimer {
  private timer: NodeJS.Timeout | undefined;
  private lastReceived = 0;

  /** `intervalMs` <= 0 turns keepalive off. */
  constructor(private readonly intervalMs: number) {}

  /** Something arrived from the server. */
  received(): void {
    this.lastReceived = performance.now();
  }

  /**
   * Watches the silence from now on. `ping` gets its timeout and resolves with whether to go on
   * watching (not when the session it pinged has gone meanwhile).
   */
  start(ping: (timeoutMs: number) => Promise<boolean>): void {
    const interval = this.intervalMs;
    if (interval <= 0) return;
    this.lastReceived = performance.now();
    const tick = () => {
      const idle = performance.now() - this.lastReceived;
      if (idle < interval) {
        this.arm(tick, interval - idle);
        return;
      }
      void ping(Math.min(interval, 10_000)).then((goOn) => {
        if (goOn) this.arm(tick, interval);
      });
    };
    this.arm(tick, interval);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(tick: () => void, ms: number): void {
    this.timer = setTimeout(tick, ms);
    this.timer.unref();
  }
}
