import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { HealthController } from './health.controller.js';
import { Metrics } from './metrics.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { LOGGER, SERVICE_IDENTITY, type ServiceIdentity } from './service-identity.js';

export interface ObservabilityOptions {
  identity: ServiceIdentity;
  logger: Logger;
  metrics: Metrics;
}

/** Logger, metrics, readiness registry and the /health, /readiness, /metrics endpoints. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [
        {
          provide: ReadinessRegistry,
          useFactory: () => new ReadinessRegistry().reportTo(options.metrics),
        },
        { provide: Metrics, useValue: options.metrics },
        { provide: LOGGER, useValue: options.logger },
        { provide: SERVICE_IDENTITY, useValue: options.identity },
      ],
      exports: [ReadinessRegistry, Metrics, LOGGER, SERVICE_IDENTITY],
    };
  }
}
