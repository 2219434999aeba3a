import { ConfigError } from '@switchboard/config';
import type { Logger } from '@switchboard/observability';
import { z } from 'zod';
import { GatewayEnv } from '../config/gateway.env.js';

/**
 * The MCP endpoint as an OAuth 2.0 protected resource (MCP authorization, 2025-11-25): what it
 * publishes in its Protected Resource Metadata (RFC 9728), what its 401s point to, and which audience
 * its tokens must carry (RFC 8707). All of it applies in AUTH_MODE=jwt only: in the other modes the
 * gateway does not take OAuth tokens, and /mcp answers as the rest of the API does.
 */
export interface McpOAuth {
  /** AUTH_MODE=jwt. */
  readonly enabled: boolean;
  /** MCP_RESOURCE_URL; undefined: the URL each request reached (`resourceUrlOf`). */
  readonly resourceUrl: string | undefined;
  /** Issuer URLs MCP clients sign in with; empty: nothing is published. */
  readonly authorizationServers: readonly string[];
  /** MCP_AUDIENCE; undefined: the resource URL. */
  readonly audience: string | undefined;
  readonly scopes: readonly string[];
  readonly documentation: string | undefined;
}

export const MCP_OAUTH = Symbol.for('switchboard.mcp-oauth');

/** Where the gateway serves the MCP endpoint (McpController). */
export const MCP_PATH = '/mcp';
/** RFC 9728 §3: the well-known prefix; a resource with a path gets its path appended. */
export const PRM_PATH = '/.well-known/oauth-protected-resource';
/** Shown to people in consent screens (`resource_name`). */
export const RESOURCE_NAME = 'Switchboard';

/** The Protected Resource Metadata document (RFC 9728 §2) as the gateway publishes it. */
export const ProtectedResourceMetadata = z.object({
  resource: z
    .string()
    .describe('The MCP endpoint: the resource indicator (RFC 8707) clients ask tokens for.'),
  authorization_servers: z
    .array(z.string())
    .min(1)
    .describe('Issuer URLs of the authorization servers MCP clients sign in with.'),
  bearer_methods_supported: z
    .array(z.literal('header'))
    .describe('Tokens go in `Authorization: Bearer …` only.'),
  scopes_supported: z.array(z.string()).optional(),
  resource_name: z.string(),
  resource_documentation: z.string().optional(),
});
export type ProtectedResourceMetadata = z.infer<typeof ProtectedResourceMetadata>;

/** The settings as configured; cross-setting rules are checked by `checkMcpOAuth`. */
export function mcpOAuthOf(config: GatewayEnv): McpOAuth {
  return {
    enabled: config.AUTH_MODE === 'jwt',
    resourceUrl: config.MCP_RESOURCE_URL,
    authorizationServers: config.MCP_AUTHORIZATION_SERVERS ?? issuerAsServer(config.JWT_ISSUER),
    audience: config.MCP_AUDIENCE,
    scopes: config.MCP_SCOPES_SUPPORTED ?? [],
    documentation: config.MCP_RESOURCE_DOCUMENTATION,
  };
}

/** JWT_ISSUER as the default authorization server, when it is a URL MCP_AUTHORIZATION_SERVERS takes. */
function issuerAsServer(issuer: string | undefined): string[] {
  if (issuer === undefined) return [];
  const parsed = GatewayEnv.shape.MCP_AUTHORIZATION_SERVERS.safeParse(issuer);
  return parsed.success ? (parsed.data ?? []) : [];
}

/** Metadata is published, and 401s point to it: jwt mode with at least one authorization server. */
export const discoverable = (oauth: McpOAuth): boolean =>
  oauth.enabled && oauth.authorizationServers.length > 0;

/**
 * Refuses what would make the audience check worthless, and says at boot how /mcp takes tokens. With
 * MCP_ALLOWED_HOSTS=* and neither MCP_RESOURCE_URL nor MCP_AUDIENCE, the audience would come from
 * whatever Host a caller sends, so a token for any other resource could be replayed here.
 */
export function checkMcpOAuth(config: GatewayEnv, oauth: McpOAuth, logger: Logger): void {
  if (!oauth.enabled) {
    const set = MCP_OAUTH_KEYS.filter((k) => config[k] !== undefined);
    if (set.length > 0)
      logger.warn(
        { authMode: config.AUTH_MODE, ignored: set },
        `${set.join(', ')} apply in AUTH_MODE=jwt only: ignored`,
      );
    return;
  }
  if (config.MCP_ALLOWED_HOSTS.includes('*') && !oauth.resourceUrl && !oauth.audience)
    throw new ConfigError('gateway', [
      'MCP_RESOURCE_URL: is required in jwt mode when MCP_ALLOWED_HOSTS is * (or set MCP_AUDIENCE): otherwise the audience /mcp tokens must carry would follow whatever Host a caller sends (is missing)',
    ]);
  const resource = oauth.resourceUrl ?? `<scheme>://<host>${MCP_PATH} of each request`;
  logger.info(
    {
      resource,
      audience: oauth.audience ?? resource,
      authorizationServers: oauth.authorizationServers,
    },
    'MCP endpoint: OAuth protected resource (tokens must carry its audience)',
  );
  if (oauth.authorizationServers.length === 0)
    logger.warn(
      'MCP endpoint: no authorization server (MCP_AUTHORIZATION_SERVERS, or JWT_ISSUER as a URL): MCP clients cannot discover where to sign in',
    );
  else if (config.JWT_ISSUER && !oauth.authorizationServers.includes(config.JWT_ISSUER))
    logger.warn(
      { issuer: config.JWT_ISSUER, authorizationServers: oauth.authorizationServers },
      'MCP endpoint: MCP_AUTHORIZATION_SERVERS does not name JWT_ISSUER, yet only tokens JWT_ISSUER issued are accepted',
    );
}

const MCP_OAUTH_KEYS = [
  'MCP_RESOURCE_URL',
  'MCP_AUTHORIZATION_SERVERS',
  'MCP_AUDIENCE',
  'MCP_SCOPES_SUPPORTED',
  'MCP_RESOURCE_DOCUMENTATION',
] as const;

/** The MCP resource: MCP_RESOURCE_URL, or the endpoint at the base URL the request reached. */
export function resourceUrlOf(oauth: McpOAuth, baseUrl: string): string {
  return oauth.resourceUrl ?? `${baseUrl}${MCP_PATH}`;
}

/** The audience a token presented to /mcp must carry. */
export function audienceOf(oauth: McpOAuth, resource: string): string {
  return oauth.audience ?? resource;
}

/** RFC 9728 §3.1: the well-known prefix between the resource's host and its path. */
export function metadataUrlOf(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return `${u.origin}${PRM_PATH}${path}`;
}

export function protectedResourceMetadata(
  oauth: McpOAuth,
  resource: string,
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [...oauth.authorizationServers],
    bearer_methods_supported: ['header'],
    ...(oauth.scopes.length > 0 ? { scopes_supported: [...oauth.scopes] } : {}),
    resource_name: RESOURCE_NAME,
    ...(oauth.documentation ? { resource_documentation: oauth.documentation } : {}),
  };
}

/**
 * The WWW-Authenticate challenge of a 401 from /mcp (RFC 6750 §3, RFC 9728 §5.1): no error code when
 * the request had no token, `invalid_token` with the reason otherwise, and the metadata's URL when
 * there is metadata to find.
 */
export function bearerChallenge(
  oauth: McpOAuth,
  resource: string,
  refusal: { reason?: string | undefined; message: string },
): string {
  const params = ['realm="switchboard"'];
  if (refusal.reason !== 'token_missing')
    params.push('error="invalid_token"', `error_description="${quotable(refusal.message)}"`);
  if (discoverable(oauth)) {
    if (oauth.scopes.length > 0) params.push(`scope="${quotable(oauth.scopes.join(' '))}"`);
    params.push(`resource_metadata="${metadataUrlOf(resource)}"`);
  }
  return `Bearer ${params.join(', ')}`;
}

/** RFC 6750 §3: error_description and scope hold %x20-21 / %x23-5B / %x5D-7E only (no `"` or `\`). */
function quotable(s: string): string {
  return s.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}
