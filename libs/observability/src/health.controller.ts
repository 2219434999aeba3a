import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { Metrics } from './metrics.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity.js';

/** One dependency as /readiness reports it. */
export interface ReadinessEntry {
  status: 'up' | 'down';
  message?: string;
}

/**
 * The body of /readiness: every check in `details`, split into `info` (up) and `error` (down), and
 * for a replica that is not ready a one-line `reason` naming each failing check and why.
 */
export interface ReadinessAnswer {
  status: 'ok' | 'error';
  reason?: string;
  info: Record<string, ReadinessEntry>;
  error: Record<string, ReadinessEntry>;
  details: Record<string, ReadinessEntry>;
}

/** The part of the HTTP reply the readiness route uses (Fastify's reply has it). */
interface StatusReply {
  code(status: number): { send(body: unknown): unknown };
}

/** Liveness, readiness (the registered dependency checks, each bounded in time) and Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @Get('health')
  live(): Record<string, unknown> {
    return {
      status: 'ok',
      service: this.identity.service,
      instance: this.identity.instance,
      version: this.identity.version,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  /**
   * 200 when every check is up, else 503 with the reason: a dependency that is down is an answer, not
   * an error, so nothing is thrown (no error filter turns it into a 500, no stack is logged).
   */
  @Get('readiness')
  async ready(@Res() reply: StatusReply): Promise<void> {
    const answer = await this.answer();
    void reply.code(answer.status === 'ok' ? 200 : 503).send(answer);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.text();
  }

  private async answer(): Promise<ReadinessAnswer> {
    const details: Record<string, ReadinessEntry> = {};
    const info: Record<string, ReadinessEntry> = {};
    const error: Record<string, ReadinessEntry> = {};
    for (const [name, check] of Object.entries(await this.readiness.run())) {
      const entry: ReadinessEntry =
        check.status === 'up'
          ? { status: 'up' }
          : { status: 'down', message: check.detail ?? 'down' };
      details[name] = entry;
      (entry.status === 'up' ? info : error)[name] = entry;
    }
    const failing = Object.entries(error);
    if (failing.length === 0) return { status: 'ok', info, error, details };
    const reason = failing.map(([name, e]) => `${name}: ${e.message}`).join('; ');
    return { status: 'error', reason, info, error, details };
  }
}
