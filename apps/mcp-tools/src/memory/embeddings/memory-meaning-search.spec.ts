import type { Candidate } from './memory-candidates.repository.js';
import { rankByMeaning } from './memory-meaning-search.js';
import { normalized } from './memory-vector.js';

const candidate = (
  content: string,
  vector: number[] | undefined,
  words = 0,
  createdAt = '2026-11-26T10:00:00.000Z',
): Candidate => ({
  id: content,
  createdAt: new Date(createdAt),
  vector: vector ? normalized(vector) : undefined,
  words,
});

describe('rankByMeaning', () => {
  const query = normalized([1, 0, 0]);

  it('ranks by cosine similarity, drops what scores below the minimum and keeps the limit', () => {
    const ranked = rankByMeaning(
      [
        candidate('far', [0, 1, 0]),
        candidate('close', [1, 0.1, 0]),
        candidate('closest', [1, 0, 0]),
        candidate('near', [1, 1, 0]),
      ],
      query,
      2,
      0.2,
    );
    expect(ranked.map((r) => [r.id, r.matchedBy])).toEqual([
      ['closest', 'meaning'],
      ['close', 'meaning'],
    ]);
    expect(ranked[0]?.score).toBeCloseTo(1, 6);
  });

  it('breaks ties newest first', () => {
    const ranked = rankByMeaning(
      [
        candidate('older', [1, 0, 0], 0, '2026-11-25T10:00:00.000Z'),
        candidate('newer', [1, 0, 0], 0, '2026-11-26T10:00:00.000Z'),
      ],
      query,
      5,
      0.2,
    );
    expect(ranked.map((r) => r.id)).toEqual(['newer', 'older']);
  });

  it('puts items without a vector of this model after, when their words match, by word rank', () => {
    const ranked = rankByMeaning(
      [
        candidate('no vector, no words', undefined, 0),
        candidate('no vector, some words', undefined, 0.1),
        candidate('other model', [1, 0], 0.3),
        candidate('vector', [1, 0, 0], 0),
      ],
      query,
      5,
      0.2,
    );
    expect(ranked.map((r) => [r.id, r.matchedBy])).toEqual([
      ['vector', 'meaning'],
      ['other model', 'words'],
      ['no vector, some words', 'words'],
    ]);
  });
});
