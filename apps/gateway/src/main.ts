import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { ALL_STREAMS } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import { bootstrapService } from '@switchboard/runtime';
import { AppModule } from './app.module.js';
import { GatewayEnv } from './config/gateway.env.js';
import { echoRequestIds, gatewayHttpOptions } from './http/http-edge.js';

const config = loadConfigOrExit('gateway', GatewayEnv);
await bootstrapService({
  service: 'gateway',
  config,
  bodyLimit: config.BODY_LIMIT_BYTES,
  http: gatewayHttpOptions(config),
  module: () => AppModule.register(config),
  configure: async (app) => {
    echoRequestIds(app);
    await app.get(JetStreamService).ensureStreams(ALL_STREAMS);
  },
});
