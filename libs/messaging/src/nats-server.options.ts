import type { CustomStrategy } from '@nestjs/microservices';
import { CommandServer } from './command-server.js';
import { natsConnectionOptions, type MessagingOptions } from './messaging.options.js';

/**
 * Options for Nest's NATS server (`app.connectMicroservice`). Every handler subscribes in the
 * service's queue group so replicas share the work instead of each answering.
 */
export function natsServerOptions(options: MessagingOptions): CustomStrategy {
  return {
    strategy: new CommandServer({
      ...natsConnectionOptions(
        `${options.service}:${options.instance}:server`,
        options.nats,
        options.service,
      ),
      queue: options.service,
      gracefulShutdown: true,
      gracePeriod: 2_000,
    }),
  };
}
