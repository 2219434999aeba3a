/**
 * Reciprocal rank fusion's constant: it damps the head of each list, so a tool near the top of both
 * rankings beats one first in one and absent from the other (60 is the value of the original paper,
 * Cormack et al. 2009, and what most hybrid search engines default to).
 */
export const RRF_K = 60;

export interface FusedRank {
  doc: number;
  score: number;
}

/**
 * Reciprocal rank fusion of rankings of the same documents (each a list of document numbers, best
 * first): a document scores the sum of `1 / (k + rank)` over the lists it is in (rank from 1). Ranks,
 * not scores, are fused: BM25 scores and cosine similarities are on scales that do not compare.
 * Best first; ties in document order (the offer's, by name).
 */
export function fuseRanks(rankings: readonly (readonly number[])[], k = RRF_K): FusedRank[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings)
    ranking.forEach((doc, i) => scores.set(doc, (scores.get(doc) ?? 0) + 1 / (k + i + 1)));
  return [...scores]
    .map(([doc, score]) => ({ doc, score }))
    .sort((a, b) => b.score - a.score || a.doc - b.doc);
}
