import { costOf, estimateTokens, UsageMeter } from './usage-meter.js';

describe(UsageMeter.name, () => {
  const prices = { m: { prompt: 1, completion: 2 }, '*': { prompt: 10, completion: 10 } };

  it('sums rounds, prices them per model (or with the * row) and flags estimates', () => {
    const sut = new UsageMeter(1_000, prices);
    expect(sut.add({ promptTokens: 100, completionTokens: 50, totalTokens: 150 }, 'm')).toEqual({
      promptTokens: 100,
      completionTokens: 50,
      totalTokens: 150,
      costUsd: 0.0002,
    });
    sut.add({ promptTokens: 10, completionTokens: 0, totalTokens: 10, estimated: true }, 'other');
    expect(sut.total()).toEqual({
      promptTokens: 110,
      completionTokens: 50,
      totalTokens: 160,
      costUsd: 0.0003,
      estimated: true,
    });
    expect(sut.remaining).toBe(840);
    expect(sut.exceeded).toBe(false);
    sut.add({ promptTokens: 900, completionTokens: 0, totalTokens: 900 }, 'm');
    expect(sut.exceeded).toBe(true);
    expect(sut.remaining).toBe(0);
  });

  it('reports no cost without a price and no usage when nothing was spent', () => {
    const sut = new UsageMeter(0, undefined);
    expect(sut.total()).toBeUndefined();
    expect(sut.add({ promptTokens: 1, completionTokens: 1, totalTokens: 2 }, 'm')).toEqual({
      promptTokens: 1,
      completionTokens: 1,
      totalTokens: 2,
    });
    expect(sut.remaining).toBe(Infinity);
    expect(sut.exceeded).toBe(false);
    expect(
      costOf({ m: { prompt: 1, completion: 1 } }, 'x', { promptTokens: 5, completionTokens: 5 }),
    ).toBeUndefined();
    expect(estimateTokens('12345678')).toBe(2);
  });
});
