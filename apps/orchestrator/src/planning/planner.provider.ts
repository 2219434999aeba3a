import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type OrchestratorEnv, usesLlm } from '../config/orchestrator.env.js';
import { BuiltinPlanner } from './builtin-planner.js';
import { DirectCallPlanner } from './direct-call.planner.js';
import { LLM_CLIENT, type LlmClient } from './llm/llm.client.js';
import { LlmPlanner } from './llm/llm-planner.js';
import { OpenAiLlmClient } from './llm/openai-llm.client.js';
import { PLANNER, type Planner } from './planner.js';

/**
 * The LLM planner when one is configured (PLANNER, OPENAI_API_KEY, OPENAI_BASE_URL), else the built-in
 * one; either way a task that is one tool call (the MCP endpoint's) is planned without it.
 */
export const plannerProviders: Provider[] = [
  { provide: LLM_CLIENT, useClass: OpenAiLlmClient },
  {
    provide: PLANNER,
    inject: [APP_CONFIG, LLM_CLIENT],
    useFactory: (config: OrchestratorEnv, client: LlmClient): Planner =>
      new DirectCallPlanner(
        usesLlm(config)
          ? new LlmPlanner(client, {
              model: config.LLM_MODEL,
              temperature: config.LLM_TEMPERATURE,
              maxOutputTokens: config.LLM_MAX_OUTPUT_TOKENS,
              maxObservationChars: config.LLM_OBSERVATION_MAX_CHARS,
            })
          : new BuiltinPlanner(),
      ),
  },
];
