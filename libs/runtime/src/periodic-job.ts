/**
 * A job every replica runs on a timer (a sweep, a tick): never two runs of it at once in one process
 * (a slow run makes the next interval skip, not pile up), a failed run logged and retried by the next
 * one, the timer never keeping the process alive, and `stop()` waiting for the run in progress so a
 * shutdown does not cut it in half.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  /** One run now, unless one is in progress (then that one). */
  runOnce(): Promise<void> {
    this.running ??= this.run()
      .then(() => undefined)
      .catch((e: unknown) => this.onError(e))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
