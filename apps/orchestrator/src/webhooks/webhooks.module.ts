import { forwardRef, Module } from '@nestjs/common';
import { A2aPushModule } from '../a2a-push/a2a-push.module.js';
import { tokenOf } from '../nest/provider-token.js';
import { WebhookHandler } from './webhook.handler.js';
import { webhookProviders } from './webhook.providers.js';

/**
 * Webhooks (docs/webhooks.md): the deliveries a task's transitions make due, stored with them.
 * A2A push notifications are sent by this module's sender and check their targets with its rules:
 * the two modules import each other (forwardRef), no provider depends on itself through them.
 */
@Module({
  imports: [forwardRef(() => A2aPushModule)],
  controllers: [WebhookHandler],
  providers: webhookProviders,
  exports: webhookProviders.map(tokenOf),
})
export class WebhooksModule {}
