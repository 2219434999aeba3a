import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, type Gateway } from '@switchboard/contracts';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env.js';
import { ConsolePages } from './console-pages.service.js';

/**
 * The web console: its built files (public, like any web page: what it shows comes from the API under
 * the caller's own credentials) and its start-up settings. Served from memory (ConsoleAssets).
 */
@Controller('console')
export class ConsoleController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    private readonly pages: ConsolePages,
  ) {}

  /**
   * `/console` redirects to `/console/` (ConsoleModule serves that path: Nest's router drops a trailing
   * slash), where the page's relative asset URLs resolve.
   */
  @Get()
  page(@Res() reply: FastifyReply): void {
    this.ensureEnabled();
    void reply.status(308).header('location', 'console/').send();
  }

  @Get('config.json')
  /** What the console needs before anyone signs in: how this gateway authenticates. */
  settings(): Gateway.ConsoleConfig {
    this.ensureEnabled();
    return {
      authMode: this.config.AUTH_MODE,
      version: this.identity.version,
      ...(this.config.AUTH_MODE === 'dev' ? { defaultUserId: this.config.TB_DEFAULT_USER_ID } : {}),
    };
  }

  @Get('assets/:file')
  asset(
    @Param('file') file: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    this.pages.send(request, reply, `assets/${file}`);
  }

  private ensureEnabled(): void {
    if (!this.config.CONSOLE_ENABLED) {
      throw new DomainError('NOT_FOUND', 'the console is turned off (CONSOLE_ENABLED=false)');
    }
  }
}
