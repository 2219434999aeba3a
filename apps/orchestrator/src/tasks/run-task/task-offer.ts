import { Tools } from '@switchboard/contracts';
import { toolFingerprint } from '@switchboard/runtime';
import type { ObservedStep } from '../../planning/planner.js';

/** A found tool whose definition is not the one its search recorded (a fork's changed catalog). */
export interface ChangedTool {
  name: string;
  recorded: string;
  /** Its fingerprint in the task's manifest now; null: no longer offered to this user. */
  now: string | null;
}

/** What one search step added to the offer (announced as `mcp.toolbox.extended`). */
export interface OfferGrowth {
  stepId: string;
  query: string;
  tools: { name: string; fingerprint: string }[];
  changed?: ChangedTool[];
}

/**
 * What a task's planner is offered round by round (docs/tools.md "Deferred tools and tool search"):
 * the manifest's tools that are not deferred, plus every tool a completed search step of the task
 * found, with its schema, from the round after that search on. Read from the steps each round, so a
 * task resumed after a crash, a replay and a fork offer what the original offered after the same steps.
 *
 * `catalog` is the task's whole manifest when it has one (a live task, a fork): a found tool is
 * offered as the manifest defines it, and one whose definition differs from what its search recorded
 * (a fork onto a changed catalog) is reported as changed — offered as defined now, or dropped when no
 * longer offered. A replay has no catalog: it plans with what its record found (its tools were
 * compared with today's before its first round).
 */
export class TaskOffer {
  private readonly found = new Map<string, Tools.ManifestTool>();
  private readonly taken = new Set<string>();

  constructor(
    private readonly offered: readonly Tools.ManifestTool[],
    private readonly catalog: ReadonlyMap<string, Tools.ManifestTool> | undefined,
  ) {}

  /** The tools a round plans with, and what the steps since the last round added to them. */
  planningTools(steps: readonly ObservedStep[]): {
    tools: Tools.ManifestTool[];
    grown: OfferGrowth[];
  } {
    const grown: OfferGrowth[] = [];
    for (const step of steps) {
      const { id, target, input } = step.action;
      if (step.status !== 'completed' || target !== Tools.SEARCH_TOOL_NAME || this.taken.has(id))
        continue;
      this.taken.add(id);
      const hits = Tools.searchHitsOf(target, step.output);
      grown.push(this.join(id, String(input['query'] ?? ''), hits));
    }
    const shown = this.offered.filter((t) => !t.deferred);
    const names = new Set(shown.map((t) => t.name));
    const extra = [...this.found.values()].filter((t) => !names.has(t.name));
    return { tools: [...shown, ...extra], grown };
  }

  /** Every tool found so far, by name (their approval policies, for the call gate). */
  get foundTools(): ReadonlyMap<string, Tools.ManifestTool> {
    return this.found;
  }

  private join(stepId: string, query: string, hits: Tools.ToolSearchHit[]): OfferGrowth {
    const changed: ChangedTool[] = [];
    const tools: OfferGrowth['tools'] = [];
    for (const hit of hits) {
      const current = this.catalog?.get(hit.tool.name);
      const now = current ? toolFingerprint(current) : null;
      if (this.catalog && now !== hit.fingerprint)
        changed.push({ name: hit.tool.name, recorded: hit.fingerprint, now });
      if (this.catalog && !current) continue;
      const { deferred: _offered, ...tool } = current ?? hit.tool;
      this.found.set(tool.name, tool);
      tools.push({ name: tool.name, fingerprint: now ?? hit.fingerprint });
    }
    return { stepId, query, tools, ...(changed.length ? { changed } : {}) };
  }
}
