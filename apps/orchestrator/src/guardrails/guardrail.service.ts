import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

export type GuardrailStage = 'input' | 'output';

/** Which rule matched. Never the matched text: naming the keyword would repeat the blocked text. */
export interface GuardrailHit {
  stage: GuardrailStage;
  rule: 'disallowed_keywords' | 'disallowed_patterns';
}

/** What replaces blocked text wherever the task would otherwise have stored it (rows, turns, events). */
export const BLOCKED_PLACEHOLDER = '[blocked by a guardrail]';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Input and output checks (DISALLOWED_KEYWORDS, plus DISALLOWED_PATTERNS). Keywords match whole words,
 * case-insensitively, after Unicode normalisation (so full-width or composed look-alikes match too).
 */
@Injectable()
export class GuardrailService {
  private readonly keywords: RegExp | undefined;
  private readonly patterns: RegExp[];
  private readonly stages: ReadonlySet<GuardrailStage>;

  constructor(
    @Inject(APP_CONFIG)
    config: Pick<
      OrchestratorEnv,
      'DISALLOWED_KEYWORDS' | 'DISALLOWED_PATTERNS' | 'GUARDRAIL_STAGES'
    >,
  ) {
    const words = config.DISALLOWED_KEYWORDS.map((k) => normalize(k)).filter(Boolean);
    // Letters, digits or "_" on either side mean the keyword is part of a longer word.
    this.keywords = words.length
      ? new RegExp(
          `(?<![\\p{L}\\p{N}_])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{N}_])`,
          'iu',
        )
      : undefined;
    this.patterns = config.DISALLOWED_PATTERNS.map((p) => new RegExp(p, 'iu'));
    this.stages = new Set(config.GUARDRAIL_STAGES);
  }

  get enabled(): boolean {
    return Boolean(this.keywords) || this.patterns.length > 0;
  }

  /** The first rule `text` breaks at `stage`, or undefined when it passes. */
  check(stage: GuardrailStage, text: string | undefined): GuardrailHit | undefined {
    if (!text || !this.stages.has(stage)) return undefined;
    const normalized = normalize(text);
    if (this.keywords?.test(normalized)) return { stage, rule: 'disallowed_keywords' };
    if (this.patterns.some((p) => p.test(normalized)))
      return { stage, rule: 'disallowed_patterns' };
    return undefined;
  }
}

function normalize(s: string): string {
  return s.normalize('NFKC').trim();
}
