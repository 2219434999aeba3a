import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { ConsoleAssets } from './console-assets.js';
import { CONSOLE_ASSETS } from './console-assets.provider.js';

/**
 * The console's page itself may run nothing it did not bring: scripts, styles and API calls from this
 * origin only, no frames, no plugins. (Styles the page sets from script, such as a virtual list's
 * offsets, are CSSOM writes, which `style-src 'self'` allows.)
 */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Answers a request for one of the console's files: cache headers, ETag, the encoding accepted. */
@Injectable()
export class ConsolePages {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(CONSOLE_ASSETS) private readonly assets: ConsoleAssets,
  ) {}

  get enabled(): boolean {
    return this.config.CONSOLE_ENABLED;
  }

  send(request: FastifyRequest, reply: FastifyReply, name: string): void {
    if (!this.config.CONSOLE_ENABLED) {
      throw new DomainError('NOT_FOUND', 'the console is turned off (CONSOLE_ENABLED=false)');
    }
    if (!this.assets.built) {
      throw new DomainError(
        'NOT_FOUND',
        'the console is not built: run `npx nx run console:build` (or npm run up), then restart the gateway',
      );
    }
    const found = this.assets.answer(name, request.headers['accept-encoding']);
    if (!found) throw new DomainError('NOT_FOUND', `no such console file: ${name}`);
    const { asset, body, encoding } = found;
    void reply
      .header('content-type', asset.contentType)
      .header('etag', asset.etag)
      .header('vary', 'accept-encoding')
      .header(
        'cache-control',
        asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    if (name === 'index.html') void reply.headers(PAGE_HEADERS);
    else void reply.header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === asset.etag) {
      void reply.status(304).send();
      return;
    }
    if (encoding) void reply.header('content-encoding', encoding);
    void reply.send(body);
  }
}
