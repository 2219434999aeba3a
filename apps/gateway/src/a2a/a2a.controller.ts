import { Controller, Get, Header, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Actor } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { A2aEndpoint } from './a2a-endpoint.service.js';
import { A2A_ENDPOINT_PATH } from './platform-agent.card.js';

/**
 * The platform as an A2A agent (1.0, and 0.3 for callers that send no A2A-Version). The card is public
 * (it tells clients how to authenticate); the JSON-RPC endpoint sits behind the same authentication and
 * rate limits as the rest of the API.
 */
@Controller()
export class A2aController {
  constructor(private readonly endpoint: A2aEndpoint) {}

  @Get('.well-known/agent-card.json')
  @Header('cache-control', 'public, max-age=300')
  async card(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const card = await this.endpoint.cardFor(baseUrlOf(req), req.headers['a2a-version']);
    const body = JSON.stringify(card);
    // The ETag is the body's, so the 0.3 and the 1.0 card (A2A-Version) each have their own.
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    void reply
      .header('etag', etag)
      .header('vary', 'host, x-forwarded-host, x-forwarded-proto, a2a-version');
    if (req.headers['if-none-match'] === etag) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/json').send(body);
  }

  @Post(A2A_ENDPOINT_PATH)
  @UseGuards(AuthGuard)
  async rpc(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    // From here on the response is written on the raw socket (JSON or SSE), as the SDK's handlers do.
    reply.hijack();
    await this.endpoint.handle({ body: req.body, headers: req.headers, actor, res: reply.raw });
  }
}

/** A plain `host[:port]` (an IPv6 address in brackets): nothing that could reshape a URL. */
const PLAIN_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * How the caller reached the gateway: the scheme and host the listener reports, which follow
 * X-Forwarded-Proto/-Host only when the request comes from a proxy named in TRUST_PROXY (anyone else's
 * forwarded headers are ignored). A host that is not a plain host[:port] falls back to localhost.
 */
export function baseUrlOf(req: FastifyRequest): string {
  const scheme = req.protocol === 'https' ? 'https' : 'http';
  const host = PLAIN_HOST.test(req.host) ? req.host : 'localhost';
  return `${scheme}://${host}`;
}
