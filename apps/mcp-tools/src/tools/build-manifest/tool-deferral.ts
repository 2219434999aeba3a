import { Tools } from '@switchboard/contracts';

/** A tool of an offer, with the source that registered it (`builtin`, `file`, `mcp:<server>`). */
export interface OfferedTool {
  tool: Tools.ManifestTool;
  sourceId: string;
  /** The definition's own setting: `true` always deferred, `false` pinned, absent automatic. */
  deferred: boolean | undefined;
}

/**
 * Which tools of an offer are deferred (docs/tools.md "Deferred tools and tool search"): those whose
 * definition (or MCP server configuration) says so, and — once the offer holds more than `threshold`
 * tools (0: never) — every tool of an external source that is not pinned. The platform's built-ins stay:
 * they are few, and what most tasks use. The search tool is offered only when something is deferred
 * (an offer with nothing to find is the same as before), and never deferred itself.
 */
export function applyDeferral(
  offered: readonly OfferedTool[],
  threshold: number,
): Tools.ManifestTool[] {
  const others = offered.filter((o) => o.tool.name !== Tools.SEARCH_TOOL_NAME);
  const automatic = threshold > 0 && others.length > threshold;
  const decided = others.map(({ tool, sourceId, deferred }) => {
    const defer = deferred ?? (automatic && sourceId !== 'builtin');
    return defer ? { ...tool, deferred: true } : tool;
  });
  if (!decided.some((t) => t.deferred)) return decided;
  const search = offered.find((o) => o.tool.name === Tools.SEARCH_TOOL_NAME);
  return search ? [...decided, search.tool] : decided;
}
