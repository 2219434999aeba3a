import { z } from 'zod';
import { ToolConstraints } from '../task/task.schemas.js';
import { ManifestTool } from './tool.schemas.js';

/**
 * Tool search (docs/tools.md "Deferred tools and tool search"). A deferred tool is left out of what a
 * model is first offered; the model finds it with the search tool, whose results (with their schemas)
 * join the task's offer from then on. The search runs in mcp-tools over only the tools the caller may
 * call, and every call is checked again there, whoever found the tool.
 */

/** The search tool's name, as the manifest offers it when some tool is deferred. */
export const SEARCH_TOOL_NAME = 'search_tools';

/**
 * Past this many tools, a user's offer defers every tool of an external source (MCP servers, the tools
 * file) that is not pinned with `deferred: false` (TOOL_DEFER_THRESHOLD; 0 turns automatic deferral off).
 */
export const DEFAULT_DEFER_THRESHOLD = 40;

/** How many hits a search returns unless it asks for another number (at most MAX). */
export const DEFAULT_SEARCH_LIMIT = 5;
export const MAX_SEARCH_LIMIT = 20;

export const ToolSearchRequest = z
  .object({
    query: z.string().trim().min(1, 'must name what the tool does').max(500),
    /** DEFAULT_SEARCH_LIMIT when absent. */
    limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional(),
    constraints: ToolConstraints.optional(),
    taskId: z.string().uuid().optional(),
  })
  .strict();
export type ToolSearchRequest = z.infer<typeof ToolSearchRequest>;

export const ToolSearchHit = z.object({
  /** The tool as the caller's manifest offers it: its schemas and its effective approval policy. */
  tool: ManifestTool,
  /**
   * BM25 score over its name, title, description and parameter names; with an embeddings endpoint, the
   * reciprocal-rank fusion of that ranking and the one by meaning (higher is better either way).
   */
  score: z.number(),
  /** The definition's fingerprint (as replays compare it): a changed schema changes it. */
  fingerprint: z.string(),
});
export type ToolSearchHit = z.infer<typeof ToolSearchHit>;

export const ToolSearchResult = z.object({
  query: z.string(),
  /** Best first; only tools the caller may call (deferred or not). */
  results: z.array(ToolSearchHit),
  /** How many tools were searched: the caller's whole offer. */
  searched: z.number().int().nonnegative(),
});
export type ToolSearchResult = z.infer<typeof ToolSearchResult>;

/**
 * The hits of a completed search step's output (a `search_tools` call's), or none when the output is
 * not a search result: what joins a task's offer after it.
 */
export function searchHitsOf(target: string, output: unknown): ToolSearchHit[] {
  if (target !== SEARCH_TOOL_NAME) return [];
  const parsed = ToolSearchResult.safeParse(output);
  return parsed.success ? parsed.data.results : [];
}
