import { Module } from '@nestjs/common';
import { tokenOf } from '../nest/provider-token.js';
import { WebhookRelay } from './webhook.relay.js';
import { webhookProviders } from './webhook.providers.js';

/**
 * Webhooks (docs/webhooks.md): the deliveries a task's transitions make due, stored with them.
 * A2A push notifications are sent by this module's sender and check their targets with its rules:
 * A2aPushModule imports this one, and answers its one port (PUSH_HEADERS, bound in TaskPortsModule).
 */
@Module({
  controllers: [WebhookRelay],
  providers: webhookProviders,
  exports: webhookProviders.map(tokenOf),
})
export class WebhooksModule {}
