import { jest } from '@jest/globals';
import { allStarted, type ServiceHandle } from './services.js';

const handle = (name: string) => {
  const stop = jest.fn(async () => undefined);
  return { service: { name, stop } as unknown as ServiceHandle, stop };
};

describe(allStarted.name, () => {
  it('gives every handle, in order, when all start', async () => {
    const a = handle('a');
    const b = handle('b');
    await expect(
      allStarted([Promise.resolve(a.service), Promise.resolve(b.service)]),
    ).resolves.toEqual([a.service, b.service]);
    expect(a.stop).not.toHaveBeenCalled();
  });

  it('stops the ones that started when another fails, then throws its error', async () => {
    const a = handle('a');
    const c = handle('c');
    const failure = new Error('gateway readiness timed out');
    await expect(
      allStarted([Promise.resolve(a.service), Promise.reject(failure), Promise.resolve(c.service)]),
    ).rejects.toBe(failure);
    expect(a.stop).toHaveBeenCalledTimes(1);
    expect(c.stop).toHaveBeenCalledTimes(1);
  });
});
