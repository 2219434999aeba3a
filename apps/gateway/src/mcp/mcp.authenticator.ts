import type { Actor } from '@switchboard/contracts';
import type { FastifyRequest } from 'fastify';
import { baseUrlOf } from '../a2a/a2a.controller.js';
import { AuthError, unauthorized } from '../auth/auth.errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import { audienceOf, type McpOAuth, resourceUrlOf } from './mcp-oauth.js';

/** Audiences kept verified at once when the resource URL follows the request (one per public name). */
const MAX_AUDIENCES = 16;

/**
 * AUTH_MODE=jwt at /mcp: the API's JWT verification (signature, issuer, expiry, user, role, tenant)
 * with the MCP audience in place of JWT_AUDIENCE — a token must have been issued for this MCP
 * resource (RFC 8707; MCP authorization: servers MUST refuse tokens meant for another resource). A
 * token for another audience is refused as `wrong_audience`, naming the audience required.
 */
export class McpJwtAuthenticator implements Authenticator {
  readonly mode = 'jwt' as const;
  private readonly verifiers = new Map<string, Authenticator>();

  /** `verifierFor(audience)`: the API's JWT authenticator with that audience. */
  constructor(
    private readonly oauth: McpOAuth,
    private readonly verifierFor: (audience: string) => Authenticator,
  ) {}

  async authenticate(request: FastifyRequest): Promise<Actor> {
    const audience = audienceOf(this.oauth, resourceUrlOf(this.oauth, baseUrlOf(request)));
    try {
      return await this.verifier(audience).authenticate(request);
    } catch (e) {
      if (e instanceof AuthError && e.reason === 'wrong_audience')
        throw unauthorized(
          'wrong_audience',
          `the token is not meant for this MCP server: its aud claim must include "${audience}"`,
        );
      throw e;
    }
  }

  /**
   * One verifier per audience. There is one unless the resource URL follows the request's Host (which
   * MCP_ALLOWED_HOSTS bounds); the oldest is dropped beyond MAX_AUDIENCES.
   */
  private verifier(audience: string): Authenticator {
    let verifier = this.verifiers.get(audience);
    if (!verifier) {
      if (this.verifiers.size >= MAX_AUDIENCES)
        this.verifiers.delete(this.verifiers.keys().next().value as string);
      verifier = this.verifierFor(audience);
      this.verifiers.set(audience, verifier);
    }
    return verifier;
  }
}
