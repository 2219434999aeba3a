import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Histogram } from 'prom-client';

/** LLM calls, their duration and the tokens they used, per model. */
@Injectable()
export class LlmMetrics {
  readonly calls: Counter<'model' | 'outcome'>;
  readonly seconds: Histogram<'model'>;
  readonly tokens: Counter<'model' | 'kind'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.calls = new Counter({
      name: 'sb_llm_calls_total',
      help: 'LLM chat completion calls, by model and outcome (ok or the error code)',
      labelNames: ['model', 'outcome'],
      registers,
    });
    this.seconds = new Histogram({
      name: 'sb_llm_call_duration_seconds',
      help: 'Duration of LLM chat completion calls',
      labelNames: ['model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.tokens = new Counter({
      name: 'sb_llm_tokens_total',
      help: 'LLM tokens used, by model and kind (prompt, completion)',
      labelNames: ['model', 'kind'],
      registers,
    });
  }
}
