import { describe, expect, it } from '@jest/globals';
import { fuseRanks, RRF_K } from './rank-fusion.js';

describe(fuseRanks.name, () => {
  it('scores each document the sum of 1 / (k + rank) over the rankings it is in', () => {
    const fused = fuseRanks([
      [3, 1],
      [1, 2],
    ]);
    const score = (doc: number) => fused.find((f) => f.doc === doc)?.score;
    expect(score(1)).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(score(3)).toBeCloseTo(1 / (RRF_K + 1));
    expect(score(2)).toBeCloseTo(1 / (RRF_K + 2));
    expect(fused.map((f) => f.doc)).toEqual([1, 3, 2]);
  });

  it('puts a document high in both rankings above one first in only one', () => {
    const fused = fuseRanks([
      [7, 4, 9],
      [4, 8, 7],
    ]);
    expect(fused.map((f) => f.doc)).toEqual([4, 7, 8, 9]);
  });

  it("keeps a single ranking's order, breaks ties by document order, and fuses nothing to nothing", () => {
    expect(fuseRanks([[5, 2, 9]]).map((f) => f.doc)).toEqual([5, 2, 9]);
    expect(fuseRanks([[5], [2]]).map((f) => f.doc)).toEqual([2, 5]);
    expect(fuseRanks([[], []])).toEqual([]);
  });
});
