import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { baseUrlOf } from '../a2a/a2a.controller.js';
import {
  discoverable,
  MCP_OAUTH,
  type McpOAuth,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  resourceUrlOf,
} from './mcp-oauth.js';

/**
 * The MCP endpoint's OAuth 2.0 Protected Resource Metadata (RFC 9728): public and cacheable, at the
 * path-suffixed well-known URL of the `/mcp` resource (§3.1, where MCP clients look first and where
 * 401s point) and at the root one (clients' fallback). Published in jwt mode with an authorization
 * server; otherwise 404.
 */
@Controller('.well-known/oauth-protected-resource')
export class McpOAuthController {
  constructor(@Inject(MCP_OAUTH) private readonly oauth: McpOAuth) {}

  @Get()
  root(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): ProtectedResourceMetadata {
    return this.metadata(req, reply);
  }

  @Get('mcp')
  mcp(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): ProtectedResourceMetadata {
    return this.metadata(req, reply);
  }

  private metadata(req: FastifyRequest, reply: FastifyReply): ProtectedResourceMetadata {
    if (!discoverable(this.oauth))
      throw new DomainError(
        'NOT_FOUND',
        'this gateway publishes no OAuth metadata for its MCP endpoint: that needs AUTH_MODE=jwt and an authorization server (MCP_AUTHORIZATION_SERVERS, or JWT_ISSUER as a URL); see docs/mcp.md',
      );
    void reply
      .header('cache-control', 'public, max-age=3600')
      // A public document: browser-based MCP clients read it from their own origin.
      .header('access-control-allow-origin', '*');
    // Without MCP_RESOURCE_URL the resource is the URL the request reached.
    if (!this.oauth.resourceUrl)
      void reply.header('vary', 'host, x-forwarded-host, x-forwarded-proto');
    return protectedResourceMetadata(this.oauth, resourceUrlOf(this.oauth, baseUrlOf(req)));
  }
}
