import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import { buildOpenApiDocument } from './openapi.document.js';

/** Serves the OpenAPI document (public: it describes the API, it grants nothing). */
@Controller()
export class OpenApiController {
  private document: Record<string, unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  @Get('openapi.json')
  get(): Record<string, unknown> {
    if (!this.config.EXPOSE_OPENAPI)
      throw new NotFoundException('the OpenAPI document is not exposed (EXPOSE_OPENAPI=false)');
    this.document ??= buildOpenApiDocument(this.identity.version);
    return this.document;
  }
}
