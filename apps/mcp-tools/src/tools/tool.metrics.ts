import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger, Metrics } from '@switchboard/observability';
import { Counter, Histogram } from 'prom-client';

/** One tool call as reported: what ran, for which task step, how it ended and how long it took. */
export interface ToolCallReport {
  /** The tool, or `unknown` for a name the registry does not know. */
  tool: string;
  /** ok, replayed, or the error code. */
  outcome: string;
  seconds: number;
  taskId?: string | undefined;
  stepId?: string | undefined;
  /** The error's message (already scrubbed of credentials), for a failed call. */
  error?: string;
}

/**
 * Tool usage, as operators watch it: calls by tool and outcome, their duration, and one log
 * line per call — never its input or output, which may hold the user's data.
 */
@Injectable()
export class ToolMetrics {
  readonly calls: Counter<'tool' | 'outcome'>;
  readonly seconds: Histogram<'tool'>;

  constructor(
    metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.seconds = new Histogram({
      name: 'sb_tool_call_duration_seconds',
      help: 'Duration of tool calls (access check, run and result checks), by tool',
      labelNames: ['tool'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
    this.calls = new Counter({
      name: 'sb_tool_calls_total',
      help: 'Tool calls by tool and outcome (ok, replayed, or the error code)',
      labelNames: ['tool', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** Counts, times and logs one call (a refusal or failure at warn). */
  record(r: ToolCallReport): void {
    this.calls.inc({ tool: r.tool, outcome: r.outcome });
    this.seconds.observe({ tool: r.tool }, r.seconds);
    const line = {
      tool: r.tool,
      outcome: r.outcome,
      durationMs: Math.round(r.seconds * 10_000) / 10,
      ...(r.taskId ? { taskId: r.taskId } : {}),
      ...(r.stepId ? { stepId: r.stepId } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
    if (r.error) this.logger.warn(line, 'tool call');
    else this.logger.info(line, 'tool call');
  }
}
