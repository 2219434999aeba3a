import { loadConfig } from '@switchboard/config';
import type { ServiceDefinition } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { OrchestratorEnv } from './config/orchestrator.env.js';

/**
 * The orchestrator as a service to start, its settings read from `env` (a ConfigError lists what is
 * wrong): main.ts starts it as its own process, a cell beside others (apps/cell).
 */
export function orchestratorService(
  env: Record<string, string | undefined>,
): ServiceDefinition<OrchestratorEnv> {
  const config = loadConfig('orchestrator', OrchestratorEnv, env);
  return { service: 'orchestrator', config, module: () => AppModule };
}
