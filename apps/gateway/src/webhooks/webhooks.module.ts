import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller.js';

/** Webhook subscriptions, their secrets and deliveries over HTTP (docs/webhooks.md). */
@Module({ controllers: [WebhooksController] })
export class WebhooksModule {}
