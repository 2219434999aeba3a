/**
 * Work started when a task ends but kept off its path: the task's end does not wait for it, its
 * failure is only reported. What is under way can be waited for (a test, a shutdown).
 */
export class OffPath {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly failed: (e: unknown) => void) {}

  start(work: () => Promise<void>): void {
    const p: Promise<void> = work()
      .catch((e: unknown) => this.failed(e))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Every piece of work started so far, ended. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}
