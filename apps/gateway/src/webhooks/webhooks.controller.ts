import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { type Actor, type Gateway, parseOrThrow, Webhooks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import {
  deliveryListRequest,
  WebhookDeliveryQuery,
  WebhookListQuery,
} from './webhook-http.schemas.js';

const webhookIdOf = (id: string) => parseOrThrow(Webhooks.WebhookId, id, 'webhook id');

/**
 * Webhooks (docs/webhooks.md): users' subscriptions, signing secrets, deliveries and the dead
 * letters. The orchestrator owns them and decides who may see and change each; this carries the call.
 */
@Controller('webhooks')
@UseGuards(AuthGuard)
export class WebhooksController {
  constructor(private readonly bus: NatsBus) {}

  /** Subscribes the caller; answers the subscription with its signing secret. */
  @Post()
  @HttpCode(201)
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Webhooks.WebhookCreateRequest)) body: Webhooks.WebhookCreateRequest,
  ): Promise<Webhooks.WebhookCreated> {
    return this.bus.request(Webhooks.WebhookCreate, body, { actor });
  }

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(WebhookListQuery)) q: WebhookListQuery,
  ): Promise<{ webhooks: Webhooks.WebhookView[] }> {
    return this.bus.request(Webhooks.WebhookList, q, { actor });
  }

  /** The caller's task-webhook secret (signs the deliveries of their task requests' `webhook`). */
  @Get('secret')
  taskSecret(@CurrentActor() actor: Actor): Promise<Webhooks.WebhookSecret> {
    return this.bus.request(Webhooks.WebhookSecretGet, {}, { actor });
  }

  @Post('secret/rotate')
  @HttpCode(200)
  rotateTaskSecret(@CurrentActor() actor: Actor): Promise<Webhooks.WebhookSecret> {
    return this.bus.request(Webhooks.WebhookSecretRotate, {}, { actor });
  }

  @Get('deliveries')
  deliveries(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(WebhookDeliveryQuery)) q: WebhookDeliveryQuery,
  ): Promise<{ deliveries: Webhooks.WebhookDeliveryView[]; nextBefore?: string }> {
    return this.bus.request(Webhooks.WebhookDeliveryList, deliveryListRequest(q), { actor });
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(200)
  redeliver(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<Webhooks.WebhookDeliveryView> {
    const deliveryId = parseOrThrow(Webhooks.WebhookDeliveryId, id, 'delivery id');
    return this.bus.request(Webhooks.WebhookRedeliver, { deliveryId }, { actor });
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Webhooks.WebhookView> {
    return this.bus.request(Webhooks.WebhookGet, { webhookId: webhookIdOf(id) }, { actor });
  }

  @Delete(':id')
  @HttpCode(200)
  remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Gateway.WebhookDeleted> {
    return this.bus.request(Webhooks.WebhookDelete, { webhookId: webhookIdOf(id) }, { actor });
  }

  @Get(':id/secret')
  secret(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Webhooks.WebhookSecret> {
    return this.bus.request(Webhooks.WebhookSecretGet, { webhookId: webhookIdOf(id) }, { actor });
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  rotate(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Webhooks.WebhookSecret> {
    return this.bus.request(
      Webhooks.WebhookSecretRotate,
      { webhookId: webhookIdOf(id) },
      { actor },
    );
  }
}
