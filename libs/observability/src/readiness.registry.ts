import { Injectable } from '@nestjs/common';
import { declareMetrics, gauge } from './metric-table.js';
import type { Metrics } from './metrics.js';

/** A scrape must not wait for a hanging check as long as a probe may (Prometheus' timeout is ~10 s). */
const SCRAPE_CHECK_TIMEOUT_MS = 1_500;

/** A dependency check: resolves when the dependency is usable, rejects (with a reason) when not. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * Modules register what their service really depends on (NATS, PostgreSQL, Redis, the XMPP login…);
 * /readiness and `sb.health.<service>` run every registered check.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /**
   * Reports every check as `sb_readiness_check_up{check}` (1 up, 0 down), run when /metrics is
   * scraped, so an alert can say which dependency of which replica is down.
   */
  reportTo(metrics: Metrics): this {
    const run = () => this.run(SCRAPE_CHECK_TIMEOUT_MS);
    declareMetrics(metrics.registry, {
      up: gauge(
        'sb_readiness_check_up',
        'Readiness checks of this replica when scraped: 1 up, 0 down (the /readiness checks: NATS, JetStream, PostgreSQL, Redis, XMPP, consumers…)',
        ['check'],
        async (g) => {
          g.reset();
          for (const [check, result] of Object.entries(await run()))
            g.set({ check }, result.status === 'up' ? 1 : 0);
        },
      ),
    });
    return this;
  }

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }

  /** Runs every check with a timeout; never throws. */
  async run(
    timeoutMs = 2_000,
  ): Promise<Record<string, { status: 'up' | 'down'; detail?: string }>> {
    const results = await Promise.all(
      this.entries().map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${timeoutMs} ms`)),
                timeoutMs,
              );
            }),
          ]);
          return [name, { status: 'up' as const }] as const;
        } catch (e) {
          return [name, { status: 'down' as const, detail: (e as Error).message }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return Object.fromEntries(results);
  }
}
