import {
  lastUserText,
  type LlmStubAnswer,
  type LlmStubRequest,
  toolResults,
} from '@switchboard/testing';

/**
 * Three versions of one agent on one model, differing by their instructions alone
 * (docs/evaluations.md, "with a real model"): the stub reads them in the system prompt the
 * orchestrator sends and plans accordingly.
 * - v1 calculates, saves the result as a note and answers with the number;
 * - v2 saves a note before calculating: a call the record of a v1 task does not hold (a divergence);
 * - v3 plans as v1 and says that the result was saved: the judge prefers its answer.
 */
export const EVAL_INSTRUCTIONS = {
  v1: 'Calculate, then save the result as a note.',
  v2: 'Save a note before you calculate anything.',
  v3: 'Calculate, save the result as a note, then say that it was saved.',
} as const;

export const JUDGE_RUBRIC = 'Does the answer give the result and say where it was saved?';

/** The task of ticket `n` (`marker` keeps one run's tasks apart from the rest of the stub's). */
export const evalTask = (marker: string, n: number) =>
  `Ticket ${n} of ${marker}: what is ${n} * 3? Save the result as a note.`;

/** The system prompt of a request. */
export const systemOf = (req: LlmStubRequest): string => {
  const system = req.body.messages.find((m) => m.role === 'system')?.content;
  return typeof system === 'string' ? system : '';
};

/**
 * The judge behind the stub (its system prompt is the platform's grading one): 1 for an answer that
 * gives the result and says it was saved, 0.5 for the bare result, 0 for anything else.
 */
function judge(req: LlmStubRequest): LlmStubAnswer {
  const shown = lastUserText(req);
  const answer = /Answer:\n([\s\S]*)$/.exec(shown)?.[1]?.trim() ?? '';
  const score = /saved as a note/.test(answer) ? 1 : /^\d+$/.test(answer) ? 0.5 : 0;
  return {
    content: JSON.stringify({ score, reason: `graded ${JSON.stringify(answer.slice(0, 40))}` }),
    usage: { prompt: 60, completion: 12 },
  };
}

/** The model: plans a ticket by the version's instructions, or grades an answer as the judge. */
export function evalModel(req: LlmStubRequest): LlmStubAnswer {
  const system = systemOf(req);
  if (system.startsWith('You grade')) return judge(req);
  const n = Number(/Ticket (\d+)/.exec(lastUserText(req))?.[1]);
  const done = toolResults(req).length;
  const usage = { prompt: 50, completion: 10 };
  if (system.includes(EVAL_INSTRUCTIONS.v2))
    return done
      ? { content: 'I could not save the note.', usage }
      : { toolCalls: [{ name: 'notes__add', arguments: { content: 'pending' } }], usage };
  if (done === 0)
    return { toolCalls: [{ name: 'calculator', arguments: { expression: `${n} * 3` } }], usage };
  if (done === 1)
    return { toolCalls: [{ name: 'notes__add', arguments: { content: String(n * 3) } }], usage };
  const saidSaved = system.includes(EVAL_INSTRUCTIONS.v3);
  return { content: saidSaved ? `${n * 3}, saved as a note.` : String(n * 3), usage };
}
