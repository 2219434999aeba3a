import { Controller, Inject, type Type } from '@nestjs/common';
import { Health, type ServiceName } from '@switchboard/contracts';
import { HandleCommand } from '@switchboard/messaging';
import { keyMetrics } from './key-metrics.js';
import {
  Metrics,
  ReadinessRegistry,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';

/** Builds the `sb.health.<service>` handler for one service (the subject depends on the service). */
export function createHealthHandler(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthHandler {
    constructor(
      private readonly readiness: ReadinessRegistry,
      @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
      private readonly metrics: Metrics,
    ) {}

    @HandleCommand(Health.HealthStatus[service])
    async status(): Promise<Health.ServiceStatus> {
      const checks = await this.readiness.run();
      return {
        service: this.identity.service,
        instance: this.identity.instance,
        version: this.identity.version,
        uptimeSeconds: Math.round(process.uptime()),
        status: Object.values(checks).every((c) => c.status === 'up') ? 'up' : 'down',
        checks,
        metrics: await keyMetrics(this.metrics),
      };
    }
  }
  return HealthHandler;
}
