import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Metrics } from './metrics.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity.js';

/** Liveness, readiness (real dependency checks, via terminus) and Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
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

  @Get('readiness')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.readiness.entries().map(([name, check]) => async () => {
        const session = this.indicators.check(name);
        try {
          await check();
          return session.up();
        } catch (e) {
          return session.down({ message: (e as Error).message });
        }
      }),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.text();
  }
}
