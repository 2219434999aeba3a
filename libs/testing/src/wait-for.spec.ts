import { waitFor } from './wait-for.js';

describe(waitFor.name, () => {
  it('returns the first truthy value as soon as the condition holds', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 20, intervalMs: 5, what: 'the thing' },
      ),
    ).rejects.toThrow(/waiting for the thing \(last error: not yet\)/);
  });
});
