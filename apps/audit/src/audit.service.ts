import { loadConfig } from '@switchboard/config';
import type { ServiceDefinition } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { AuditEnv } from './config/audit.env.js';

/**
 * The audit service as a service to start, its settings read from `env` (a ConfigError lists what is
 * wrong): main.ts starts it as its own process, a cell beside others (apps/cell).
 */
export function auditService(env: Record<string, string | undefined>): ServiceDefinition<AuditEnv> {
  const config = loadConfig('audit', AuditEnv, env);
  return { service: 'audit', config, module: () => AppModule };
}
