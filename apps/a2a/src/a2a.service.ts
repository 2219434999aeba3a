import { loadConfig } from '@switchboard/config';
import type { ServiceDefinition } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { A2aEnv } from './config/a2a.env.js';

/**
 * The a2a service as a service to start, its settings read from `env` (a ConfigError lists what is
 * wrong): main.ts starts it as its own process, a cell beside others (apps/cell).
 */
export function a2aService(env: Record<string, string | undefined>): ServiceDefinition<A2aEnv> {
  const config = loadConfig('a2a', A2aEnv, env);
  return { service: 'a2a', config, module: () => AppModule };
}
