import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller.js';

/** The gateway's OpenAPI document, served as built from the route table. */
@Module({ controllers: [OpenApiController] })
export class OpenApiModule {}
