import { loadConfig } from '@switchboard/config';
import { streamsSetUpBy } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import type { ServiceDefinition } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { GatewayEnv } from './config/gateway.env.js';
import { acceptA2aJson, echoRequestIds, gatewayHttpOptions } from './http/http-edge.js';

/**
 * The gateway as a service to start, its settings read from `env` (a ConfigError lists what is
 * wrong): main.ts starts it as its own process, a cell beside others (apps/cell).
 */
export function gatewayService(
  env: Record<string, string | undefined>,
): ServiceDefinition<GatewayEnv> {
  const config = loadConfig('gateway', GatewayEnv, env);
  return {
    service: 'gateway',
    config,
    bodyLimit: config.BODY_LIMIT_BYTES,
    http: gatewayHttpOptions(config),
    module: () => AppModule.register(config),
    configure: async (app) => {
      echoRequestIds(app);
      acceptA2aJson(app);
      // the streams it must find in place to accept tasks before the others run (its NATS permissions)
      await app.get(JetStreamService).ensureStreams(streamsSetUpBy('gateway'));
    },
  };
}
