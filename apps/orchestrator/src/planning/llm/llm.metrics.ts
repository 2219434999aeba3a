import { counter, histogram, metricSet } from '@switchboard/observability';

/** LLM calls, their duration and the tokens they used, per model. */
export class LlmMetrics extends metricSet({
  calls: counter(
    'sb_llm_calls_total',
    'LLM chat completion calls, by model and outcome (ok or the error code)',
    ['model', 'outcome'],
  ),
  seconds: histogram(
    'sb_llm_call_duration_seconds',
    'Duration of LLM chat completion calls',
    ['model'],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  ),
  tokens: counter(
    'sb_llm_tokens_total',
    'LLM tokens used, by model and kind (prompt, completion)',
    ['model', 'kind'],
  ),
}) {}
