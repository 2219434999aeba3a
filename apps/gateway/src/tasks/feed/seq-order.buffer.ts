import type { Tasks } from '@switchboard/contracts';

/**
 * A task's events put back in seq order: events arrive from a live subscription and from stored
 * replays, out of order and twice; `take` hands out the next one only when it is there. Once the task
 * has ended and its missing events are known not to come, `skipHoles` lets the held ones go out past
 * the holes.
 */
export class SeqOrderBuffer {
  private readonly held = new Map<number, Tasks.TaskEvent>();
  private skipping = false;

  constructor(private nextSeq: number) {}

  /** The seq the reader gets next. */
  get next(): number {
    return this.nextSeq;
  }

  /** Seqs held back, waiting for an earlier one. */
  get heldSeqs(): number[] {
    return [...this.held.keys()];
  }

  /** The next event is here. */
  get ready(): boolean {
    return this.held.has(this.nextSeq) || (this.skipping && this.held.size > 0);
  }

  /** Later events are here and the next is missing. */
  get gapped(): boolean {
    return this.held.size > 0 && !this.ready;
  }

  /** Holds an event; false when the reader is already past it (a duplicate or an old one). */
  hold(event: Tasks.TaskEvent): boolean {
    if (event.seq < this.nextSeq) return false;
    this.held.set(event.seq, event);
    return true;
  }

  /** Takes out the next event in order, if it is here. */
  take(): Tasks.TaskEvent | undefined {
    if (this.skipping && !this.held.has(this.nextSeq) && this.held.size > 0)
      this.nextSeq = Math.min(...this.held.keys());
    const event = this.held.get(this.nextSeq);
    if (!event) return undefined;
    this.held.delete(this.nextSeq);
    this.nextSeq++;
    return event;
  }

  /** From now on the held events go out past the holes. */
  skipHoles(): void {
    this.skipping = true;
  }
}
