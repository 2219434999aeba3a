import 'reflect-metadata';
import { loadConfigOrExit } from '@switchboard/config';
import { streamsSetUpBy } from '@switchboard/contracts';
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
    // the streams it must find in place to accept tasks before the others run (its NATS permissions)
    await app.get(JetStreamService).ensureStreams(streamsSetUpBy('gateway'));
  },
});
