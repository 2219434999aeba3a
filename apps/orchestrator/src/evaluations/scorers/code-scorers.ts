import { createHash } from 'node:crypto';
import type { Evaluations } from '@switchboard/contracts';
import { containsMatch, exactMatch, jsonSchemaMatch, regexMatch } from './answer.js';
import { type Call, normalized, trajectoryMatches } from './trajectory.js';

/** What a scorer sees of a run: its answer and its tool calls, in order. */
export interface ScoredRun {
  answer?: string;
  calls: readonly Call[];
}

/** A score a scorer gave (before it is stored against a task). */
export interface GivenScore {
  name: string;
  value: Evaluations.ScoreValue;
  scorerVersion: string;
  reason?: string;
}

/** A scorer's name: the one it was given, or its kind (and trajectory mode). */
export function scorerName(spec: Evaluations.ScorerSpec): string {
  if (spec.name) return spec.name;
  return spec.kind === 'trajectory' ? `trajectory.${spec.mode}` : spec.kind;
}

/**
 * A scorer's version: a hash of its definition (and of this code's revision of it), so two scores are
 * comparable exactly when they carry the same version.
 */
export function scorerVersion(spec: Evaluations.ScorerSpec): string {
  const h = createHash('sha256')
    .update(JSON.stringify(normalized(spec)))
    .digest('hex');
  return `${spec.kind}@1:${h.slice(0, 12)}`;
}

const point = (ok: boolean): number => (ok ? 1 : 0);

/**
 * A code scorer's score of a run against an item's expectations: 1 or 0. Undefined when the item
 * lacks what the scorer needs (no expected answer, schema or trajectory): nothing is scored, rather
 * than a 0 that would read as a failure. A judge is not a code scorer (undefined as well).
 */
export function codeScore(
  spec: Evaluations.ScorerSpec,
  run: ScoredRun,
  expected: Evaluations.Expectations,
): GivenScore | undefined {
  const base = { name: scorerName(spec), scorerVersion: scorerVersion(spec) };
  const answer = run.answer ?? '';
  switch (spec.kind) {
    case 'exact':
      if (expected.answer === undefined) return undefined;
      return { ...base, value: point(exactMatch(answer, expected.answer, spec.caseSensitive)) };
    case 'contains':
      if (expected.answer === undefined) return undefined;
      return { ...base, value: point(containsMatch(answer, expected.answer, spec.caseSensitive)) };
    case 'regex':
      return { ...base, value: point(regexMatch(answer, spec.pattern, spec.flags)) };
    case 'json-schema': {
      if (!expected.schema) return undefined;
      const { ok, problems } = jsonSchemaMatch(answer, expected.schema);
      return { ...base, value: point(ok), ...(ok ? {} : { reason: problems.join('; ') }) };
    }
    case 'trajectory': {
      if (!expected.trajectory) return undefined;
      const ok = trajectoryMatches(run.calls, expected.trajectory, spec.mode, spec.args);
      return {
        ...base,
        value: point(ok),
        ...(ok
          ? {}
          : {
              reason: `expected [${expected.trajectory.map((c) => c.tool).join(', ')}] (${spec.mode}, args ${spec.args}), got [${run.calls.map((c) => c.tool).join(', ')}]`,
            }),
      };
    }
    case 'judge':
      return undefined;
  }
}
