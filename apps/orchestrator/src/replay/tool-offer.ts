import { DomainError, type Tasks, type Tools } from '@switchboard/contracts';
import { canonicalJson, toolFingerprint } from '@switchboard/runtime';

/** The parts of a tool's definition a planner is offered, as the manifest carries them. */
const DEFINITION_FIELDS = [
  'title',
  'description',
  'provider',
  'inputSchema',
  'outputSchema',
  'idempotent',
  'requiredRole',
  'adminOnly',
  'approval',
] as const satisfies readonly (keyof Tools.ManifestTool)[];

/**
 * A tool definition's version: a short hash of everything the manifest offers of it (its name,
 * texts, schemas, access and approval policy), the same on every replica for the same definition.
 */
export function toolVersion(tool: Tools.ManifestTool): string {
  return toolFingerprint(tool);
}

/**
 * Where the tools a replay would be offered now differ from those its record was offered: a recorded
 * tool whose definition changed since (with the parts that changed), or that is no longer offered. The
 * tools are offered to the first planning round, so that is where the run diverges. Tools offered now
 * and not then are not compared: the record's rounds never saw them (and an admin's replay of a user's
 * task is offered more).
 */
export function toolOfferDivergence(
  recorded: readonly Tools.ManifestTool[],
  current: readonly Tools.ManifestTool[],
): Tasks.Divergence | undefined {
  const now = new Map(current.map((t) => [t.name, t]));
  const changes: string[] = [];
  const expected: { name: string; version: string }[] = [];
  const got: { name: string; version: string | null }[] = [];
  for (const tool of recorded) {
    const other = now.get(tool.name);
    const version = toolVersion(tool);
    const otherVersion = other ? toolVersion(other) : null;
    if (otherVersion === version) continue;
    expected.push({ name: tool.name, version });
    got.push({ name: tool.name, version: otherVersion });
    changes.push(
      other
        ? `the definition of ${tool.name} changed (${changedFields(tool, other).join(', ')})`
        : `${tool.name} is no longer offered`,
    );
  }
  if (!changes.length) return undefined;
  return {
    at: 'round',
    round: 1,
    expected: { tools: expected },
    got: { tools: got },
    summary: `round 1: the tools offered differ from the recorded ones: ${changes.join('; ')}`,
  };
}

function changedFields(a: Tools.ManifestTool, b: Tools.ManifestTool): string[] {
  const fields = DEFINITION_FIELDS.filter((f) => canonicalJson(a[f]) !== canonicalJson(b[f]));
  // a field the manifest added since (this list does not name it yet) still changes the version
  return fields.length ? fields : ['another field'];
}

/** The replay ends where its tools diverged (CONFLICT, as at any other divergence). */
export function toolOfferConflict(divergence: Tasks.Divergence): DomainError {
  return new DomainError(
    'CONFLICT',
    `the replay diverged from its record at ${divergence.summary}`,
    { details: { divergence } },
  );
}
