import { jest } from '@jest/globals';
import { ConsumerSupervisor, type PullSession } from './consumer-supervisor.js';

/** A pull loop the test ends (as the client would on its own) or that reports the durable lost. */
class FakeSession implements PullSession {
  readonly ended: Promise<void>;
  closed = false;
  end!: () => void;
  constructor(readonly lost: (why: string) => void) {
    this.ended = new Promise<void>((resolve) => (this.end = resolve));
  }
  async close(): Promise<void> {
    this.closed = true;
    this.end();
  }
}

function setup(opts: { failOpens?: number } = {}) {
  const sessions: FakeSession[] = [];
  let failOpens = opts.failOpens ?? 0;
  const server = { durable: true };
  const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const start = () =>
    ConsumerSupervisor.start({
      label: 'durable "d" on S',
      logger,
      reopenBackoff: { initialDelayMs: 10, maxDelayMs: 10 },
      open: async (lost) => {
        if (sessions.length > 0 && failOpens > 0) {
          failOpens--;
          throw new Error('stream not found');
        }
        server.durable = true;
        const s = new FakeSession(lost);
        sessions.push(s);
        return s;
      },
      exists: async () => server.durable,
    });
  return { sessions, server, logger, start };
}

// Settles pending promise callbacks (no timers involved).
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(ConsumerSupervisor.name, () => {
  it('is ready while its loop runs and the durable exists', async () => {
    const { start } = setup();
    const sut = await start();
    await expect(sut.check()).resolves.toBeUndefined();
    await sut.stop();
    await expect(sut.check()).rejects.toThrow(/stopped/);
  });

  it('reopens a pull loop that ended on its own', async () => {
    const { sessions, start } = setup();
    const sut = await start();
    sessions[0]!.end();
    await settle();
    expect(sessions).toHaveLength(2);
    await expect(sut.check()).resolves.toBeUndefined();
    await sut.stop();
    expect(sessions[1]!.closed).toBe(true);
  });

  it('recreates a durable the server reports deleted, closing the old loop', async () => {
    const { sessions, start } = setup();
    const sut = await start();
    sessions[0]!.lost('the server reports consumer deleted');
    await settle();
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.closed).toBe(true);
    // A late report from the old loop changes nothing.
    sessions[0]!.lost('late');
    await settle();
    expect(sessions).toHaveLength(2);
    await sut.stop();
  });

  it('fails readiness when the durable is missing, and recreates it', async () => {
    const { sessions, server, start } = setup();
    const sut = await start();
    server.durable = false;
    await expect(sut.check()).rejects.toThrow(/durable is missing on the server/);
    await settle();
    expect(sessions).toHaveLength(2);
    await expect(sut.check()).resolves.toBeUndefined();
    await sut.stop();
  });

  it('stays not ready while the durable cannot be recreated, and retries until it can', async () => {
    jest.useFakeTimers();
    try {
      const { sessions, logger, start } = setup({ failOpens: 2 });
      const sut = await start();
      sessions[0]!.end();
      await jest.advanceTimersByTimeAsync(0);
      await expect(sut.check()).rejects.toThrow(/cannot be recreated: stream not found/);
      expect(logger.error).toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(10);
      await expect(sut.check()).rejects.toThrow(/cannot be recreated/);
      await jest.advanceTimersByTimeAsync(10);
      expect(sessions).toHaveLength(2);
      await expect(sut.check()).resolves.toBeUndefined();
      await sut.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not reopen after stop()', async () => {
    const { sessions, start } = setup();
    const sut = await start();
    await sut.stop();
    sessions[0]!.lost('deleted');
    await settle();
    expect(sessions).toHaveLength(1);
  });
});
