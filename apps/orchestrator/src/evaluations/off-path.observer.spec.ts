import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { EndedTask } from '../tasks/index.js';
import { OffPathObserver } from './off-path.observer.js';

/** Holds each task's work until released; fails it when the task's text says so. */
class Holding extends OffPathObserver {
  readonly done: string[] = [];
  release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));

  constructor(logger: Logger) {
    super(logger, 'holding failed');
  }

  protected async onEnded(task: EndedTask): Promise<void> {
    await this.gate;
    if (task.text === 'fail') throw new Error('boom');
    this.done.push(task.text);
  }
}

const ended = (text: string) => ({ text }) as EndedTask;

describe(OffPathObserver.name, () => {
  it("answers the task's end at once, logs a failure as a warning, and its work can be waited for", async () => {
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => void warnings.push(args) } as unknown as Logger;
    const sut = new Holding(logger);

    await sut.ended(ended('first'));
    await sut.ended(ended('fail'));
    expect(sut.done).toEqual([]);

    sut.release();
    await sut.work.settled();
    expect(sut.done).toEqual(['first']);
    expect(warnings).toEqual([[{ err: new Error('boom') }, 'holding failed']]);
  });
});
