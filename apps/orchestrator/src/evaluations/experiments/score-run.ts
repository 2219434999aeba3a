import type { Evaluations } from '@switchboard/contracts';
import { codeScore, type GivenScore } from '../scorers/code-scorers.js';
import type { JudgeInput } from '../scorers/judge-prompt.js';
import { meanOf, type RunFacts } from './experiment-result.js';

type JudgeSpec = Extract<Evaluations.ScorerSpec, { kind: 'judge' }>;
/** Asks a judge (the LLM judge, or a fake in tests). */
export type AskJudge = (spec: JudgeSpec, input: JudgeInput) => Promise<GivenScore>;

/** Scores one run with every scorer: the run's view in the experiment and the scores to store. */
export async function scoreRun(
  specs: readonly Evaluations.ScorerSpec[],
  facts: RunFacts,
  expected: Evaluations.Expectations,
  task: string,
  judge: AskJudge,
): Promise<{ view: Evaluations.ExperimentRunView; given: GivenScore[] }> {
  const given: GivenScore[] = [];
  for (const spec of specs) {
    const s =
      spec.kind === 'judge'
        ? await judge(spec, { task, answer: facts.answer, expected: expected.answer })
        : codeScore(
            spec,
            { ...(facts.answer !== undefined ? { answer: facts.answer } : {}), calls: facts.calls },
            expected,
          );
    if (s) given.push(s);
  }
  const scores = Object.fromEntries(given.map((g) => [g.name, g.value]));
  const mean = meanOf(scores);
  return {
    view: {
      ...(facts.runTaskId ? { runTaskId: facts.runTaskId } : {}),
      status: facts.status,
      ...(facts.answer !== undefined ? { answer: facts.answer } : {}),
      scores,
      ...(mean !== undefined ? { mean } : {}),
      tokens: facts.tokens,
      costUsd: facts.costUsd,
      ...(facts.durationMs !== undefined ? { durationMs: facts.durationMs } : {}),
      divergences: facts.divergences,
      ...(facts.live?.length ? { live: facts.live } : {}),
    },
    given,
  };
}
