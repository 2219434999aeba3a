import { Inject, Injectable } from '@nestjs/common';
import {
  counter,
  histogram,
  LOGGER,
  type Logger,
  Metrics,
  metricSet,
} from '@switchboard/observability';

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
export class ToolMetrics extends metricSet({
  calls: counter(
    'sb_tool_calls_total',
    'Tool calls by tool and outcome (ok, replayed, or the error code)',
    ['tool', 'outcome'],
  ),
  seconds: histogram(
    'sb_tool_call_duration_seconds',
    'Duration of tool calls (access check, run and result checks), by tool',
    ['tool'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  ),
}) {
  constructor(
    metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(metrics);
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
