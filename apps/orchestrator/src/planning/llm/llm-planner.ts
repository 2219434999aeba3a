import type { Tasks } from '@switchboard/contracts';
import { estimateTokens } from '../../tasks/run-task/usage-meter.js';
import type { AgentPlanning, PlanDecision, Planner, PlanningState } from '../planner.js';
import { ArgumentValidator } from './argument-validator.js';
import { interpretCompletion } from './completion.interpreter.js';
import type { LlmClient, LlmCompletion, LlmMessage } from './llm.client.js';
import { systemPrompt } from './llm-prompt.js';
import { buildMessages } from './llm-transcript.js';
import { ToolCatalog } from './tool-catalog.js';

export interface LlmPlannerSettings {
  model: string;
  temperature: number;
  maxOutputTokens: number;
  maxObservationChars: number;
  /** Nucleus sampling, sent only when set (an agent version's parameter). */
  topP?: number;
  /** Instructions that replace the platform's (a fork evaluating another prompt, docs/replay.md). */
  systemPrompt?: string;
  /**
   * An agent version's instructions (docs/agents.md): the system prompt opens with them, followed by
   * the platform's rules for the functions (how to call, plan and answer), which the version's text
   * need not repeat. A fork's `systemPrompt` still replaces the whole.
   */
  instructions?: string;
}

/**
 * Plans with OpenAI-style tool calling: the manifest's tools and the known agents are offered as
 * functions (plus `plan` for ordered, dependent actions); the model answers, calls tools, or plans.
 * Stateless between rounds: each round rebuilds the conversation from the stored rounds and steps.
 */
export class LlmPlanner implements Planner {
  readonly kind = 'llm' as const;
  private readonly validator = new ArgumentValidator();

  constructor(
    private readonly client: LlmClient,
    private readonly settings: LlmPlannerSettings,
  ) {}

  get model(): string {
    return this.settings.model;
  }

  /** Rough size of the next request, for the token budget's check before the call. */
  estimatePromptTokens(state: Omit<PlanningState, 'signal'>): number {
    const { messages, catalog } = this.request(state);
    return estimateTokens(JSON.stringify(messages) + JSON.stringify(catalog.functions));
  }

  asksModel(): boolean {
    return true;
  }

  /** The same planner with the version's instructions, model and parameters (unset ones: ours). */
  forAgent(agent: AgentPlanning): LlmPlanner {
    const { name, temperature, topP, maxOutputTokens } = agent.model;
    return new LlmPlanner(this.client, {
      ...this.settings,
      model: name,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
      ...(agent.instructions.trim() ? { instructions: agent.instructions } : {}),
    });
  }

  async next(state: PlanningState): Promise<PlanDecision> {
    const { messages, catalog } = this.request(state);
    const started = performance.now();
    const request = {
      model: this.settings.model,
      messages,
      tools: catalog.functions,
      temperature: this.settings.temperature,
      ...(this.settings.topP !== undefined ? { topP: this.settings.topP } : {}),
      maxOutputTokens: Math.max(
        1,
        Math.min(this.settings.maxOutputTokens, state.maxOutputTokens ?? Infinity),
      ),
    };
    const completion = await this.client.complete(
      { ...request, iteration: state.iteration, ...(state.taskId ? { taskId: state.taskId } : {}) },
      state.signal,
    );
    const durationMs = performance.now() - started;
    const decision = interpretCompletion({
      completion,
      catalog,
      iteration: state.iteration,
      validator: this.validator,
    });
    return {
      ...decision,
      usage: usageOf(completion, messages, catalog.functions),
      model: completion.model,
      durationMs,
      // The functions offered are the manifest's (recorded with the task): named, not repeated.
      request: { ...request, tools: catalog.functions.map((f) => f.name) },
    };
  }

  private request(state: Omit<PlanningState, 'signal'>): {
    messages: LlmMessage[];
    catalog: ToolCatalog;
  } {
    const catalog = new ToolCatalog(state.tools, state.agents);
    const messages = buildMessages({
      system:
        this.settings.systemPrompt ??
        systemPrompt({
          hasFunctions: catalog.functions.length > 0,
          instructions: this.settings.instructions,
        }),
      history: state.history,
      task: state.task,
      rounds: state.rounds,
      steps: state.steps,
      maxObservationChars: this.settings.maxObservationChars,
      recalled: state.recalled,
    });
    return { messages, catalog };
  }
}

/** The server's count, or an estimate (flagged) when it reports none. */
function usageOf(c: LlmCompletion, messages: LlmMessage[], functions: unknown): Tasks.TokenUsage {
  if (c.usage) {
    return {
      promptTokens: c.usage.promptTokens,
      completionTokens: c.usage.completionTokens,
      totalTokens: c.usage.promptTokens + c.usage.completionTokens,
    };
  }
  const promptTokens = estimateTokens(JSON.stringify(messages) + JSON.stringify(functions));
  const completionTokens = estimateTokens((c.content ?? '') + JSON.stringify(c.toolCalls));
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    estimated: true,
  };
}
