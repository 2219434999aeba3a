import { Injectable } from '@nestjs/common';
import type { Evaluations } from '@switchboard/contracts';
import { counter, histogram, Metrics, metricSet } from '@switchboard/observability';

/** The most label sets (agent, version, score name) one replica reports; later ones are `other`. */
export const MAX_SCORE_SERIES = 500;
const MAX_LABEL_CHARS = 64;

/** The version stamp a score's task ran with (absent: a task that ran no agent version). */
export interface ScoredVersion {
  agent?: string | undefined;
  version?: number | undefined;
}

/** A score as the metrics count it. */
export interface CountedScore {
  name: string;
  value: Evaluations.ScoreValue;
  source: 'code' | 'judge' | 'human';
}

/**
 * Scores in metrics per agent version (docs/evaluations.md): how many were recorded and, for numbers
 * and booleans (as 0/1), their values — by agent, version, score name and source. Agent and score
 * names are a tenant's to choose, so the label sets are bounded: past MAX_SCORE_SERIES distinct ones
 * on a replica, a new one is counted as `other` (names are cut to 64 characters).
 */
@Injectable()
export class ScoreMetrics extends metricSet({
  recorded: counter(
    'sb_eval_scores_total',
    'Scores recorded (experiments, online scoring, people), by agent, version, score name and source',
    ['agent', 'version', 'name', 'source'],
  ),
  value: histogram(
    'sb_eval_score_value',
    'Numeric and boolean (0/1) score values, by agent, version, score name and source',
    ['agent', 'version', 'name', 'source'],
    [0, 0.25, 0.5, 0.75, 0.9, 1],
  ),
}) {
  private readonly seen = new Set<string>();

  constructor(metrics: Metrics) {
    super(metrics);
  }

  observe(scores: readonly CountedScore[], run: ScoredVersion): void {
    for (const s of scores) {
      const labels = { ...this.bounded(run, s.name), source: s.source };
      this.recorded.inc(labels);
      const n =
        typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? +s.value : undefined;
      if (n !== undefined) this.value.observe(labels, n);
    }
  }

  private bounded(
    run: ScoredVersion,
    name: string,
  ): { agent: string; version: string; name: string } {
    const labels = {
      agent: (run.agent ?? 'none').slice(0, MAX_LABEL_CHARS),
      version: run.version !== undefined ? String(run.version) : 'none',
      name: name.slice(0, MAX_LABEL_CHARS),
    };
    const key = `${labels.agent}\n${labels.version}\n${labels.name}`;
    if (this.seen.has(key)) return labels;
    if (this.seen.size >= MAX_SCORE_SERIES)
      return { agent: 'other', version: 'other', name: 'other' };
    this.seen.add(key);
    return labels;
  }
}
