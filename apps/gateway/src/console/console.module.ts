import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../http/error-envelope.js';
import { LiveController } from '../live/live.controller.js';
import { LiveTraffic } from '../live/live-traffic.service.js';
import { AgentPresenceController } from './agent-presence.controller.js';
import { consoleAssetsProvider } from './console-assets.provider.js';
import { ConsoleController } from './console.controller.js';
import { ConsolePages } from './console-pages.service.js';
import { ServicesController } from './services.controller.js';
import { SessionController } from './session.controller.js';

/**
 * The web console (its files at /console/) and the read-only routes it needs beyond the task API:
 * who the caller is, every service's health, agent presence, and the admins' live traffic.
 */
@Module({
  controllers: [
    AgentPresenceController,
    ConsoleController,
    LiveController,
    ServicesController,
    SessionController,
  ],
  providers: [consoleAssetsProvider, ConsolePages, LiveTraffic],
})
export class ConsoleModule implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly pages: ConsolePages,
  ) {}

  /** `GET /console/`, the page: registered on Fastify itself, as Nest's router drops the trailing slash. */
  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.get('/console/', (request, reply) => {
      try {
        this.pages.send(request, reply, 'index.html');
      } catch (e) {
        sendError(request, reply, e);
      }
    });
  }
}
