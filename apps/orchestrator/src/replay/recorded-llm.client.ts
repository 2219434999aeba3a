import { DomainError } from '@switchboard/contracts';
import {
  type LlmClient,
  type LlmCompletion,
  llmMemoOf,
  type LlmMessage,
  type LlmRequest,
} from '../planning/index.js';
import type { StoredRound } from '../tasks/index.js';
import { same } from './run-trace.js';

/**
 * The model of a replay: each round's completion is the one recorded for that round (the assistant's
 * message and tool calls, its usage and model), so the LLM planner's own code — the prompt it builds,
 * how it reads the answer — runs again without any model being called. A round the record has no
 * completion for fails the round (the replay then diverges there). Requests that differ from the
 * recorded ones are noted: they change nothing the model said, but say the prompt changed.
 */
export class RecordedLlmClient implements LlmClient {
  /** Rounds whose request differs from the recorded one (the first differing part named). */
  readonly changedRequests: string[] = [];

  constructor(private readonly rounds: readonly StoredRound[]) {}

  complete(request: LlmRequest): Promise<LlmCompletion> {
    const iteration = request.iteration ?? 0;
    const round = this.rounds.find((r) => r.iteration === iteration);
    const memo = round ? llmMemoOf(round) : undefined;
    if (!round || !memo) {
      return Promise.reject(
        new DomainError(
          'CONFLICT',
          `the record holds no model completion for planning round ${iteration}: the replay cannot go on without calling the model`,
          { details: { round: iteration } },
        ),
      );
    }
    this.noteRequest(iteration, request, round.decision.request);
    const usage = round.decision.usage;
    return Promise.resolve({
      content: memo.assistant.content,
      toolCalls: memo.assistant.tool_calls,
      ...(usage
        ? { usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens } }
        : {}),
      model: round.decision.model ?? request.model,
    });
  }

  private noteRequest(iteration: number, request: LlmRequest, recorded: unknown): void {
    const sent = recorded as { messages?: LlmMessage[] } | undefined;
    if (!sent?.messages) return;
    const at = firstDifference(sent.messages, request.messages);
    if (at !== undefined)
      this.changedRequests.push(
        `round ${iteration}: the request to the model differs from the recorded one at messages[${at}]`,
      );
  }
}

function firstDifference(a: readonly unknown[], b: readonly unknown[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!same(a[i], b[i])) return i;
  return undefined;
}
