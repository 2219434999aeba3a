import { type Tasks, Tools } from '@switchboard/contracts';

/**
 * The built-in planner's use of tool search (docs/tools.md, docs/planner.md): "find a tool to …" /
 * "search tools for …" runs the search tool with the rest of the clause as its query, when the task
 * was offered it (some of its tools are deferred). What it found can be called by name after it
 * ("… then call github__create_issue with {…}"), as any tool can.
 */
export function searchClause(
  clause: string,
  id: string,
  offered: ReadonlySet<string>,
): Tasks.PlanAction | undefined {
  if (!offered.has(Tools.SEARCH_TOOL_NAME)) return undefined;
  const asked =
    /^(?:please\s+)?(?:find|search(?:\s+for)?|look\s+for)\s+(?:a\s+|the\s+)?tools?\s+(?:to|for|that|which)\s+(.+)$/i.exec(
      clause,
    );
  if (!asked) return undefined;
  const query = (asked[1] as string).slice(0, 500);
  return {
    id,
    kind: 'tool',
    target: Tools.SEARCH_TOOL_NAME,
    input: { query },
    description: 'search the tools you may use',
  };
}

/** A search step's result as the answer says it: the tools found, best first. */
export function describeSearch(output: unknown): string {
  const hits = Tools.searchHitsOf(Tools.SEARCH_TOOL_NAME, output);
  if (!hits.length) return 'No tool you may use matches that.';
  return `Tools found: ${hits.map((h) => `${h.tool.name} (${h.tool.title})`).join(', ')}.`;
}
