import { median, percentile } from './stats.js';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose

  it.each([
    [50, 50],
    [99, 99],
    [100, 100],
    [1, 1],
    [0.5, 1],
    [99.5, 100],
  ])('p%s of 1..100 is %s', (p, expected) => {
    expect(percentile(oneToHundred, p)).toBe(expected);
  });

  it('takes the lower middle sample as the median of an even count, and the middle of an odd one', () => {
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });

  it('sorts numerically and leaves its input alone', () => {
    const xs = [10, 9, 100, 1];
    expect(percentile(xs, 75)).toBe(10);
    expect(xs).toEqual([10, 9, 100, 1]);
  });

  it('is NaN without samples and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(/p must be in \(0, 100\], got 0/);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});
