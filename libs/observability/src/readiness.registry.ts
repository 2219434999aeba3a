import { Injectable } from '@nestjs/common';

/** A dependency check: resolves when the dependency is usable, rejects (with a reason) when not. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * Modules register what their service really depends on (NATS, PostgreSQL, Redis, the XMPP login…);
 * /readiness and `sb.health.<service>` run every registered check.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

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
