import { Injectable } from '@nestjs/common';
import { type Actor, Tools } from '@switchboard/contracts';
import { toolFingerprint } from '@switchboard/runtime';
import { BuildManifestUseCase } from '../build-manifest/build-manifest.use-case.js';
import { fuseRanks } from './rank-fusion.js';
import { ToolMeaningRanker } from './tool-meaning.ranker.js';
import { ToolSearchIndex } from './tool-search.index.js';

/**
 * Searches the tools `actor` may call under `constraints`: the caller's own manifest (access rules,
 * tenant, grants and configuration applied; each tool with its effective approval policy), deferred
 * tools included, the search tool itself left out. The index is kept beside the cached manifest it was
 * built from (a new manifest, a new index), so a search of a cached offer only walks postings. With an
 * embeddings endpoint the words' ranking (BM25) and the meaning's (cosine) are fused by reciprocal
 * rank, so a query that shares no word with a tool still finds it; without one, or when it fails, the
 * words' ranking alone. Finding a tool grants nothing: every call is checked again (CallToolUseCase).
 */
@Injectable()
export class SearchToolsUseCase {
  private readonly indexes = new WeakMap<readonly Tools.ManifestTool[], ToolSearchIndex>();

  constructor(
    private readonly manifests: BuildManifestUseCase,
    private readonly meaning: ToolMeaningRanker,
  ) {}

  async execute(actor: Actor, req: Tools.ToolSearchRequest): Promise<Tools.ToolSearchResult> {
    const manifest = await this.manifests.execute(actor, req.constraints);
    const index = this.indexOf(manifest.tools);
    const hits = (await this.ranked(index, req.query)).slice(
      0,
      req.limit ?? Tools.DEFAULT_SEARCH_LIMIT,
    );
    return {
      query: req.query,
      results: hits.map(({ doc, score }) => {
        const { deferred: _offered, ...found } = index.tools[doc] as Tools.ManifestTool;
        return { tool: found, score, fingerprint: toolFingerprint(found) };
      }),
      searched: index.tools.length,
    };
  }

  /** Every match, best first, with its score (BM25's, or the fused one: both rounded). */
  private async ranked(index: ToolSearchIndex, query: string) {
    const words = index.rank(query);
    const meaning = await this.meaning.rank(index.tools, query);
    if (!meaning) return words.map(({ doc, score }) => ({ doc, score: round(score, 3) }));
    const fused = fuseRanks([words.map((w) => w.doc), meaning]);
    return fused.map(({ doc, score }) => ({ doc, score: round(score, 6) }));
  }

  private indexOf(tools: readonly Tools.ManifestTool[]): ToolSearchIndex {
    const known = this.indexes.get(tools);
    if (known) return known;
    const index = new ToolSearchIndex(tools.filter((t) => t.name !== Tools.SEARCH_TOOL_NAME));
    this.indexes.set(tools, index);
    return index;
  }
}

function round(score: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(score * scale) / scale;
}
