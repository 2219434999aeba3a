import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { A2aPushHandler } from './a2a-push.handler.js';
import { a2aPushProviders } from './a2a-push.providers.js';

/** A2A push notification configs (docs/a2a.md), delivered as webhooks. */
@Module({
  imports: [WebhooksModule],
  controllers: [A2aPushHandler],
  providers: a2aPushProviders,
  exports: a2aPushProviders,
})
export class A2aPushModule {}
