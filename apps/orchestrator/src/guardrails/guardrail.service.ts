import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, TENANTS, TenantDirectory } from '@switchboard/config';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

export type GuardrailStage = 'input' | 'output';

/** Which rule matched. Never the matched text: naming the keyword would repeat the blocked text. */
export interface GuardrailHit {
  stage: GuardrailStage;
  rule: 'disallowed_keywords' | 'disallowed_patterns';
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One set of rules: keywords as one expression, and patterns. */
export interface RuleSet {
  keywords: RegExp | undefined;
  patterns: RegExp[];
}

/**
 * Input and output checks: the platform's (DISALLOWED_KEYWORDS, DISALLOWED_PATTERNS), and for a tenant
 * the platform's and its own (TENANTS_FILE `guardrails`), which add to the platform's and never relax
 * them. Keywords match whole words, case-insensitively, after Unicode normalisation (so full-width or
 * composed look-alikes match too). GUARDRAIL_STAGES says at which stages all of them apply.
 */
@Injectable()
export class GuardrailService {
  private readonly platform: RuleSet;
  private readonly tenants = new Map<string, RuleSet>();
  private readonly stages: ReadonlySet<GuardrailStage>;

  constructor(
    @Inject(APP_CONFIG)
    config: Pick<
      OrchestratorEnv,
      'DISALLOWED_KEYWORDS' | 'DISALLOWED_PATTERNS' | 'GUARDRAIL_STAGES'
    >,
    @Optional() @Inject(TENANTS) tenants: TenantDirectory = new TenantDirectory(),
  ) {
    this.platform = ruleSet(config.DISALLOWED_KEYWORDS, config.DISALLOWED_PATTERNS);
    for (const tenant of tenants.tenants()) {
      const own = tenants.settingsOf(tenant)?.guardrails;
      if (!own) continue;
      this.tenants.set(tenant, ruleSet(own.disallowedKeywords, own.disallowedPatterns));
    }
    this.stages = new Set(config.GUARDRAIL_STAGES);
  }

  get enabled(): boolean {
    return enabled(this.platform) || [...this.tenants.values()].some(enabled);
  }

  /**
   * The first rule `text` breaks at `stage` (the platform's first, then `tenant`'s, then the run's
   * own `extra` rules: a replay's what-if), or undefined.
   */
  check(
    stage: GuardrailStage,
    text: string | undefined,
    tenant?: string,
    extra?: RuleSet,
  ): GuardrailHit | undefined {
    if (!text || !this.stages.has(stage)) return undefined;
    const normalized = normalize(text);
    const own = tenant === undefined ? undefined : this.tenants.get(tenant);
    for (const rules of [this.platform, own, extra]) {
      if (!rules) continue;
      if (rules.keywords?.test(normalized)) return { stage, rule: 'disallowed_keywords' };
      if (rules.patterns.some((p) => p.test(normalized)))
        return { stage, rule: 'disallowed_patterns' };
    }
    return undefined;
  }
}

/** Rules as the settings write them, compiled (patterns must compile: they are validated first). */
export function ruleSet(keywords: readonly string[], patterns: readonly string[]): RuleSet {
  const words = keywords.map((k) => normalize(k)).filter(Boolean);
  return {
    // Letters, digits or "_" on either side mean the keyword is part of a longer word.
    keywords: words.length
      ? new RegExp(
          `(?<![\\p{L}\\p{N}_])(?:${words.map(escape).join('|')})(?![\\p{L}\\p{N}_])`,
          'iu',
        )
      : undefined,
    patterns: patterns.map((p) => new RegExp(p, 'iu')),
  };
}

const enabled = (rules: RuleSet): boolean => Boolean(rules.keywords) || rules.patterns.length > 0;

function normalize(s: string): string {
  return s.normalize('NFKC').trim();
}
