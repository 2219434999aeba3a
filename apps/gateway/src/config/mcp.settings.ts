import { csv, csvDefault } from '@switchboard/config';
import { z } from 'zod';

// The MCP endpoint's settings (docs/mcp.md), in a file of their own: gateway.env.ts holds the rest.
/** Hostnames (no port; IPv6 in brackets) a request to /mcp may name in Host, or `*` for any. */
const hostNames = csvDefault('localhost,127.0.0.1,[::1]').pipe(
  z
    .array(
      z
        .string()
        .toLowerCase()
        .regex(
          /^(\*|\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/,
          'must be host names without a port (IPv6 in brackets, e.g. [::1]), or *',
        ),
    )
    .min(1, 'must name at least one host'),
);

/** Web origins (`scheme://host[:port]`, nothing after) allowed to call /mcp from a browser. */
const origins = csvDefault('').pipe(
  z.array(
    z.string().refine((o) => {
      try {
        const u = new URL(o);
        return /^https?:$/.test(u.protocol) && u.origin === o.toLowerCase().replace(/\/$/, '');
      } catch {
        return false;
      }
    }, 'must be origins like https://app.example.com (scheme, host and port only)'),
  ),
);

/**
 * An OAuth resource or issuer identifier (RFC 9728, RFC 8414): an https URL without query or
 * fragment; http only on a loopback host (local development and tests).
 */
const oauthUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
      const scheme = u.protocol === 'https:' || (u.protocol === 'http:' && loopback);
      return scheme && !/[?#]/.test(s) && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an https URL (http only on localhost, 127.0.0.1 or [::1]) without query or fragment');

/** OAuth scope tokens (RFC 6749 §3.3), comma-separated. */
const scopeTokens = csv.pipe(
  z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be OAuth scope tokens'))
    .min(1, 'must name at least one scope'),
);

/** The MCP endpoint's variables, spread into GatewayEnv. */
export const mcpSettings = {
  MCP_ALLOWED_HOSTS: hostNames.describe(
    'Host names (without port, comma-separated) the MCP endpoint answers to; a request naming another Host (a DNS-rebinding page, for one) is refused with 403 before authentication. Add the public name clients use (e.g. `api.example.com`); `*` turns the check off. Browser Origins on these hosts are allowed too.',
  ),
  MCP_ALLOWED_ORIGINS: origins.describe(
    'Further web origins (comma-separated, e.g. `https://app.example.com`) whose pages may call the MCP endpoint from a browser; requests with any other Origin (or `Origin: null`) are refused with 403.',
  ),
  MCP_RESOURCE_URL: oauthUrl
    .transform((s) => {
      const u = new URL(s);
      return u.pathname === '/' && !s.endsWith('/') ? u.origin : u.href;
    })
    .optional()
    .describe(
      'jwt mode: the canonical URL of the MCP endpoint as clients reach it (e.g. `https://switchboard.example.com/mcp`): the `resource` of its OAuth Protected Resource Metadata and the audience /mcp tokens must carry (MCP_AUDIENCE). Unset: the URL each request reached (scheme and Host, following X-Forwarded-* from TRUST_PROXY proxies) + `/mcp`. Set it in production; required with MCP_ALLOWED_HOSTS=* unless MCP_AUDIENCE is set. See docs/mcp.md.',
    ),
  MCP_AUTHORIZATION_SERVERS: csv
    .pipe(z.array(oauthUrl).min(1, 'must name at least one issuer URL'))
    .optional()
    .describe(
      'jwt mode: issuer URLs (comma-separated) of the OAuth authorization servers MCP clients sign in with, published in the Protected Resource Metadata (Supabase Auth: `https://<project>.supabase.co/auth/v1`). Default: JWT_ISSUER when it is such a URL. None: no metadata (404) and no `resource_metadata` in 401s.',
    ),
  MCP_AUDIENCE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'jwt mode: the `aud` value a token presented to /mcp must carry (RFC 8707), instead of JWT_AUDIENCE, which the rest of the API keeps. Default: the MCP resource URL (MCP_RESOURCE_URL). `authenticated` accepts every Supabase session token at /mcp (not bound to this resource).',
    ),
  MCP_SCOPES_SUPPORTED: scopeTokens
    .optional()
    .describe(
      'jwt mode: OAuth scopes (comma-separated) to publish as `scopes_supported` and to ask for in 401 challenges; MCP clients request them when signing in. The gateway does not check scopes (roles and authorizations decide). Default: none.',
    ),
  MCP_RESOURCE_DOCUMENTATION: z
    .string()
    .url()
    .optional()
    .describe(
      'jwt mode: URL of human-readable documentation of the MCP endpoint, published as `resource_documentation`.',
    ),
};
