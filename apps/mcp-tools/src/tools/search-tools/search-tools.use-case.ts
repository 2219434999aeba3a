import { Injectable } from '@nestjs/common';
import { type Actor, Tools } from '@switchboard/contracts';
import { toolFingerprint } from '@switchboard/runtime';
import { BuildManifestUseCase } from '../build-manifest/build-manifest.use-case.js';
import { ToolSearchIndex } from './tool-search.index.js';

/**
 * Searches the tools `actor` may call under `constraints`: the caller's own manifest (access rules,
 * tenant, grants and configuration applied; each tool with its effective approval policy), deferred
 * tools included, the search tool itself left out. The index is kept beside the cached manifest it was
 * built from (a new manifest, a new index), so a search of a cached offer only walks postings. Finding
 * a tool grants nothing: every call is checked again (CallToolUseCase).
 */
@Injectable()
export class SearchToolsUseCase {
  private readonly indexes = new WeakMap<readonly Tools.ManifestTool[], ToolSearchIndex>();

  constructor(private readonly manifests: BuildManifestUseCase) {}

  async execute(actor: Actor, req: Tools.ToolSearchRequest): Promise<Tools.ToolSearchResult> {
    const manifest = await this.manifests.execute(actor, req.constraints);
    const index = this.indexOf(manifest.tools);
    const hits = index.search(req.query, req.limit ?? Tools.DEFAULT_SEARCH_LIMIT);
    return {
      query: req.query,
      results: hits.map(({ tool, score }) => {
        const { deferred: _offered, ...found } = tool;
        return { tool: found, score, fingerprint: toolFingerprint(found) };
      }),
      searched: index.tools.length,
    };
  }

  private indexOf(tools: readonly Tools.ManifestTool[]): ToolSearchIndex {
    const known = this.indexes.get(tools);
    if (known) return known;
    const index = new ToolSearchIndex(tools.filter((t) => t.name !== Tools.SEARCH_TOOL_NAME));
    this.indexes.set(tools, index);
    return index;
  }
}
