import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Tools } from '@switchboard/contracts';
import type { McpToolsEnv } from '../../config/mcp-tools.env.js';
import type { MemoryScope } from '../memory-rights.js';
import type { MemoryQuery } from '../memory.repository.js';
import { type Candidate, MemoryCandidates } from './memory-candidates.repository.js';
import { MemoryEmbedder } from './memory-embedder.js';
import { cosine } from './memory-vector.js';

type Settings = Pick<McpToolsEnv, 'MEMORY_EMBEDDINGS_CANDIDATES' | 'MEMORY_EMBEDDINGS_MIN_SCORE'>;

/**
 * Search by meaning: the query's vector against the vectors of a bounded set of candidates
 * (memory-candidates.repository.ts). `undefined` when no embeddings endpoint is configured or the
 * query could not be embedded: the store then searches by words, so a recall never fails for it.
 */
@Injectable()
export class MemoryMeaningSearch {
  constructor(
    private readonly embedder: MemoryEmbedder,
    private readonly candidates: MemoryCandidates,
    @Inject(APP_CONFIG) private readonly settings: Settings,
  ) {}

  async search(
    scope: MemoryScope,
    search: MemoryQuery,
  ): Promise<Tools.RecalledMemory[] | undefined> {
    const model = this.embedder.model;
    if (!model) return undefined;
    const [vector] = (await this.embedder.embed([search.query])) ?? [];
    if (!vector) return undefined;
    const found = await this.candidates.of(
      scope,
      search,
      model,
      this.settings.MEMORY_EMBEDDINGS_CANDIDATES,
    );
    const ranked = rankByMeaning(
      found,
      vector,
      search.limit,
      this.settings.MEMORY_EMBEDDINGS_MIN_SCORE,
    );
    const ids = ranked.map((r) => r.id);
    const items = new Map((await this.candidates.items(scope.tenantId, ids)).map((i) => [i.id, i]));
    // An item deleted between the two reads is left out.
    return ranked.flatMap(({ id, score, matchedBy }) => {
      const stored = items.get(id);
      if (!stored) return [];
      const { ownerId: _owner, ...item } = stored;
      return [{ ...item, score, matchedBy }];
    });
  }
}

export interface Ranked {
  id: string;
  score: number;
  matchedBy: 'meaning' | 'words';
}

/**
 * Items with a vector, by cosine similarity (at least `minScore`), best first and then newest; after
 * them, items without one of this model (stored while the endpoint was down, or by another model)
 * that match the query's words, by word rank.
 */
export function rankByMeaning(
  candidates: readonly Candidate[],
  query: Float32Array,
  limit: number,
  minScore: number,
): Ranked[] {
  const newestFirst = (a: Candidate, b: Candidate) => b.createdAt.getTime() - a.createdAt.getTime();
  const byMeaning = candidates
    .map((c) => ({ c, score: c.vector ? cosine(c.vector, query) : undefined }))
    .filter((x): x is { c: Candidate; score: number } => x.score !== undefined)
    .filter((x) => x.score >= minScore)
    .sort((a, b) => b.score - a.score || newestFirst(a.c, b.c))
    .map(({ c, score }): Ranked => ({ id: c.id, score, matchedBy: 'meaning' }));
  const byWords = candidates
    .filter((c) => (!c.vector || c.vector.length !== query.length) && c.words > 0)
    .sort((a, b) => b.words - a.words || newestFirst(a, b))
    .map((c): Ranked => ({ id: c.id, score: c.words, matchedBy: 'words' }));
  return [...byMeaning, ...byWords].slice(0, limit);
}
