import type { Tasks } from '@switchboard/contracts';
import type { PriceTable } from '../../config/orchestrator.env.js';

/** About four characters a token: the usual rough figure, used only when a server reports no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Cost in USD of `usage` under the price table (per million tokens), or undefined without a price. */
export function costOf(
  prices: PriceTable | undefined,
  model: string | undefined,
  usage: Pick<Tasks.TokenUsage, 'promptTokens' | 'completionTokens'>,
): number | undefined {
  const price = prices && ((model !== undefined ? prices[model] : undefined) ?? prices['*']);
  if (!price) return undefined;
  return roundUsd(
    (usage.promptTokens * price.prompt + usage.completionTokens * price.completion) / 1_000_000,
  );
}

/** Keeps costs readable and sums stable (floating point would drift in the last digits). */
function roundUsd(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}

/**
 * The tokens (and cost) one task has used so far, summed over its planning rounds, and its budget.
 * Rounds replayed after a crash are added too: they were paid for.
 */
export class UsageMeter {
  private prompt = 0;
  private completion = 0;
  private cost: number | undefined;
  private estimated = false;

  constructor(
    private readonly limit: number,
    private readonly prices: PriceTable | undefined,
  ) {}

  /** Adds a round's usage and returns it priced (cost added when the table has the model). */
  add(
    usage: Tasks.TokenUsage | undefined,
    model: string | undefined,
  ): Tasks.TokenUsage | undefined {
    if (!usage) return undefined;
    const costUsd = usage.costUsd ?? costOf(this.prices, model, usage);
    this.prompt += usage.promptTokens;
    this.completion += usage.completionTokens;
    if (costUsd !== undefined) this.cost = roundUsd((this.cost ?? 0) + costUsd);
    this.estimated ||= usage.estimated === true;
    return { ...usage, ...(costUsd !== undefined ? { costUsd } : {}) };
  }

  get used(): number {
    return this.prompt + this.completion;
  }

  /** The task's usage so far, or undefined when nothing was spent (the built-in planner). */
  total(): Tasks.TokenUsage | undefined {
    if (this.used === 0 && this.cost === undefined) return undefined;
    return {
      promptTokens: this.prompt,
      completionTokens: this.completion,
      totalTokens: this.used,
      ...(this.cost !== undefined ? { costUsd: this.cost } : {}),
      ...(this.estimated ? { estimated: true } : {}),
    };
  }

  get limited(): boolean {
    return this.limit > 0;
  }

  /** Tokens left (Infinity without a budget). */
  get remaining(): number {
    return this.limited ? Math.max(0, this.limit - this.used) : Infinity;
  }

  get exceeded(): boolean {
    return this.limited && this.used > this.limit;
  }

  get budget(): number {
    return this.limit;
  }
}
