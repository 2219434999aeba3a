import { createHash } from 'node:crypto';
import { canonicalJson } from '@switchboard/runtime';

/** What a judge is shown of a run. */
export interface JudgeInput {
  task: string;
  answer?: string | undefined;
  expected?: string | undefined;
}

export const JUDGE_SYSTEM = [
  'You grade the answer of an AI agent against a rubric.',
  'Reply with one JSON object and nothing else: {"score": <a number from 0 to 1>, "reason": "<one sentence>"}.',
].join(' ');

/** The key a verdict is cached by: the tenant, the model, the rubric and what the judge is shown. */
export function judgeKey(
  tenantId: string,
  model: string,
  rubric: string,
  input: JudgeInput,
): string {
  return createHash('sha256')
    .update(canonicalJson({ tenantId, model, rubric, input }))
    .digest('hex');
}

export function judgeUserMessage(rubric: string, input: JudgeInput): string {
  return [
    `Rubric:\n${rubric}`,
    `Task:\n${input.task}`,
    ...(input.expected !== undefined ? [`Expected answer:\n${input.expected}`] : []),
    `Answer:\n${input.answer ?? '(no answer: the run ended without one)'}`,
  ].join('\n\n');
}

/** The judge's verdict read from its reply (a bare or fenced JSON object), or why it cannot be. */
export function parseVerdict(
  content: string | null,
): { score: number; reason: string } | { error: string } {
  const text = (content ?? '').trim();
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (!json) return { error: 'the judge replied without a JSON object' };
  try {
    const v = JSON.parse(json) as { score?: unknown; reason?: unknown };
    const score = typeof v.score === 'number' ? v.score : Number(v.score);
    if (!Number.isFinite(score) || score < 0 || score > 1)
      return { error: 'the judge gave no score between 0 and 1' };
    return { score, reason: typeof v.reason === 'string' ? v.reason.slice(0, 1_000) : '' };
  } catch {
    return { error: 'the judge replied with malformed JSON' };
  }
}
