import { describe, expect, it, jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { ConfigError, loadConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { AuthError, unauthorized } from '../auth/auth.errors.js';
import { JwtAuthenticator } from '../auth/jwt.authenticator.js';
import { GatewayEnv } from '../config/gateway.env.js';
import { McpJwtAuthenticator } from './mcp.authenticator.js';
import { mcpAuthenticator } from './mcp-auth.guard.js';
import { McpChallengeFilter } from './mcp-challenge.filter.js';
import {
  bearerChallenge,
  checkMcpOAuth,
  discoverable,
  type McpOAuth,
  mcpOAuthOf,
  metadataUrlOf,
  ProtectedResourceMetadata,
  protectedResourceMetadata,
  resourceUrlOf,
} from './mcp-oauth.js';
import { McpOAuthController } from './mcp-oauth.controller.js';

const SECRET = 's'.repeat(40);
const ISSUER = 'https://abcd.supabase.co/auth/v1';
const RESOURCE = 'https://switchboard.example.com/mcp';

const config = (env: Record<string, string> = {}) =>
  loadConfig('gateway', GatewayEnv, { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, ...env });

const logger = () =>
  ({
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
    debug: jest.fn(),
  }) as unknown as Logger & {
    info: jest.Mock;
    warn: jest.Mock;
  };

/** A request as Fastify reports it: protocol and host already follow TRUST_PROXY. */
const request = (headers: Record<string, string> = {}, host = 'switchboard.example.com') =>
  ({ headers, protocol: 'https', host }) as unknown as FastifyRequest;

const token = (aud: string | string[], claims: Record<string, unknown> = { role: 'user' }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada')
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

const jwt = (audience: string) =>
  new JwtAuthenticator({
    secret: SECRET,
    issuer: ISSUER,
    audience,
    clockToleranceSeconds: 5,
    userIdClaim: 'sub',
    emailClaim: 'email',
    roleClaim: 'role',
    jwksCacheMaxAgeMs: 60_000,
    jwksTimeoutMs: 1_000,
    jwksCooldownMs: 1_000,
  });

describe('mcpOAuthOf', () => {
  it('in jwt mode: JWT_ISSUER (a URL) is the default authorization server; the resource follows requests', () => {
    const sut = mcpOAuthOf(config({ JWT_ISSUER: ISSUER }));
    expect(sut).toEqual({
      enabled: true,
      resourceUrl: undefined,
      authorizationServers: [ISSUER],
      audience: undefined,
      scopes: [],
      documentation: undefined,
    });
    expect(discoverable(sut)).toBe(true);
    expect(resourceUrlOf(sut, 'http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/mcp');
  });

  it('takes MCP_* over the defaults, and a JWT_ISSUER that is no URL publishes nothing', () => {
    const sut = mcpOAuthOf(
      config({
        JWT_ISSUER: 'console-e2e',
        MCP_RESOURCE_URL: RESOURCE,
        MCP_AUDIENCE: 'authenticated',
        MCP_SCOPES_SUPPORTED: 'openid,email',
        MCP_RESOURCE_DOCUMENTATION: 'https://docs.example.com/mcp',
      }),
    );
    expect(sut).toMatchObject({
      resourceUrl: RESOURCE,
      authorizationServers: [],
      audience: 'authenticated',
      scopes: ['openid', 'email'],
    });
    expect(discoverable(sut)).toBe(false);
    expect(resourceUrlOf(sut, 'http://ignored')).toBe(RESOURCE);
    expect(
      mcpOAuthOf(config({ JWT_ISSUER: ISSUER, MCP_AUTHORIZATION_SERVERS: 'https://a.example' }))
        .authorizationServers,
    ).toEqual(['https://a.example']);
  });

  it('is off outside jwt mode', () => {
    const sut = mcpOAuthOf(
      loadConfig('gateway', GatewayEnv, { AUTH_MODE: 'dev', JWT_ISSUER: ISSUER }),
    );
    expect(sut.enabled).toBe(false);
    expect(discoverable(sut)).toBe(false);
  });
});

describe('checkMcpOAuth', () => {
  it('refuses MCP_ALLOWED_HOSTS=* without MCP_RESOURCE_URL or MCP_AUDIENCE in jwt mode, naming the variable', () => {
    const env = config({ JWT_ISSUER: ISSUER, MCP_ALLOWED_HOSTS: '*' });
    expect(() => checkMcpOAuth(env, mcpOAuthOf(env), logger())).toThrow(ConfigError);
    expect(() => checkMcpOAuth(env, mcpOAuthOf(env), logger())).toThrow(
      /MCP_RESOURCE_URL: is required in jwt mode when MCP_ALLOWED_HOSTS is \*/,
    );
    for (const fixed of [{ MCP_RESOURCE_URL: RESOURCE }, { MCP_AUDIENCE: RESOURCE }] as Record<
      string,
      string
    >[]) {
      const ok = config({ MCP_ALLOWED_HOSTS: '*', ...fixed });
      expect(() => checkMcpOAuth(ok, mcpOAuthOf(ok), logger())).not.toThrow();
    }
  });

  it('says how /mcp takes tokens, and warns when clients cannot discover where to sign in', () => {
    const log = logger();
    const env = config({ MCP_RESOURCE_URL: RESOURCE });
    checkMcpOAuth(env, mcpOAuthOf(env), log);
    expect(log.info).toHaveBeenCalledWith(
      { resource: RESOURCE, audience: RESOURCE, authorizationServers: [] },
      expect.stringContaining('OAuth protected resource'),
    );
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('no authorization server'));
  });

  it('warns when the published servers do not include JWT_ISSUER, and when MCP_* are set outside jwt mode', () => {
    const log = logger();
    const env = config({ JWT_ISSUER: ISSUER, MCP_AUTHORIZATION_SERVERS: 'https://other.example' });
    checkMcpOAuth(env, mcpOAuthOf(env), log);
    expect(log.warn).toHaveBeenCalledWith(
      expect.objectContaining({ issuer: ISSUER }),
      expect.stringContaining('does not name JWT_ISSUER'),
    );
    const dev = loadConfig('gateway', GatewayEnv, { AUTH_MODE: 'dev', MCP_AUDIENCE: 'x' });
    const devLog = logger();
    checkMcpOAuth(dev, mcpOAuthOf(dev), devLog);
    expect(devLog.warn).toHaveBeenCalledWith(
      { authMode: 'dev', ignored: ['MCP_AUDIENCE'] },
      'MCP_AUDIENCE apply in AUTH_MODE=jwt only: ignored',
    );
  });
});

describe('the Protected Resource Metadata', () => {
  const oauth: McpOAuth = {
    enabled: true,
    resourceUrl: RESOURCE,
    authorizationServers: [ISSUER],
    audience: undefined,
    scopes: [],
    documentation: undefined,
  };

  it('names the resource and the authorization servers, bearer tokens in the header only (RFC 9728 §2)', () => {
    const doc = protectedResourceMetadata(oauth, RESOURCE);
    expect(doc).toEqual({
      resource: RESOURCE,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
      resource_name: 'Switchboard',
    });
    expect(ProtectedResourceMetadata.parse(doc)).toEqual(doc);
    expect(
      protectedResourceMetadata(
        { ...oauth, scopes: ['openid'], documentation: 'https://docs.example.com/mcp' },
        RESOURCE,
      ),
    ).toMatchObject({
      scopes_supported: ['openid'],
      resource_documentation: 'https://docs.example.com/mcp',
    });
  });

  it('lives at the well-known URL with the resource path appended (RFC 9728 §3.1)', () => {
    expect(metadataUrlOf(RESOURCE)).toBe(
      'https://switchboard.example.com/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrlOf('https://api.example.com/switchboard/mcp/')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource/switchboard/mcp',
    );
    expect(metadataUrlOf('http://127.0.0.1:3000')).toBe(
      'http://127.0.0.1:3000/.well-known/oauth-protected-resource',
    );
  });

  it('is served by both well-known routes, cacheable and readable cross-origin; 404 when nothing is published', () => {
    const headers: Record<string, string> = {};
    const reply = {
      header(name: string, value: string) {
        headers[name] = value;
        return reply;
      },
    } as unknown as FastifyReply;
    const derived = new McpOAuthController({ ...oauth, resourceUrl: undefined });
    expect(derived.mcp(request(), reply)).toMatchObject({
      resource: 'https://switchboard.example.com/mcp',
    });
    expect(derived.root(request({}, '127.0.0.1:3000'), reply)).toMatchObject({
      resource: 'https://127.0.0.1:3000/mcp',
    });
    expect(headers).toEqual({
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
      vary: 'host, x-forwarded-host, x-forwarded-proto',
    });
    expect(() =>
      new McpOAuthController({ ...oauth, authorizationServers: [] }).mcp(request(), reply),
    ).toThrow(/publishes no OAuth metadata .*MCP_AUTHORIZATION_SERVERS/);
  });
});

describe('bearerChallenge', () => {
  const oauth: McpOAuth = {
    enabled: true,
    resourceUrl: undefined,
    authorizationServers: [ISSUER],
    audience: undefined,
    scopes: [],
    documentation: undefined,
  };
  const prm =
    'resource_metadata="https://switchboard.example.com/.well-known/oauth-protected-resource/mcp"';

  it('without a token: no error code, the metadata URL (RFC 6750 §3.1, RFC 9728 §5.1)', () => {
    expect(bearerChallenge(oauth, RESOURCE, { reason: 'token_missing', message: 'x' })).toBe(
      `Bearer realm="switchboard", ${prm}`,
    );
  });

  it('with a bad token: invalid_token and a description that fits a quoted-string', () => {
    expect(
      bearerChallenge(oauth, RESOURCE, {
        reason: 'token_malformed',
        message: 'the Authorization header must be "Bearer <token>" \\ é',
      }),
    ).toBe(
      `Bearer realm="switchboard", error="invalid_token", error_description="the Authorization header must be 'Bearer <token>'  ", ${prm}`,
    );
  });

  it('asks for the configured scopes; points nowhere when nothing is published', () => {
    expect(
      bearerChallenge({ ...oauth, scopes: ['openid', 'email'] }, RESOURCE, {
        reason: 'token_missing',
        message: '',
      }),
    ).toBe(`Bearer realm="switchboard", scope="openid email", ${prm}`);
    expect(
      bearerChallenge({ ...oauth, authorizationServers: [] }, RESOURCE, {
        reason: 'wrong_audience',
        message: 'm',
      }),
    ).toBe('Bearer realm="switchboard", error="invalid_token", error_description="m"');
  });
});

describe(McpJwtAuthenticator.name, () => {
  const oauth: McpOAuth = {
    enabled: true,
    resourceUrl: undefined,
    authorizationServers: [ISSUER],
    audience: undefined,
    scopes: [],
    documentation: undefined,
  };
  const bearer = async (aud: string | string[]) => ({
    authorization: `Bearer ${await token(aud)}`,
  });

  it('accepts a token issued for the MCP resource the request reached', async () => {
    const sut = new McpJwtAuthenticator(oauth, jwt);
    await expect(sut.authenticate(request(await bearer(RESOURCE)))).resolves.toMatchObject({
      userId: 'ada',
      role: 'user',
    });
    await expect(
      sut.authenticate(request(await bearer(['authenticated', RESOURCE]))),
    ).resolves.toMatchObject({ userId: 'ada' });
  });

  it('refuses a token for another audience as wrong_audience, naming the audience required (not the token)', async () => {
    const sut = new McpJwtAuthenticator(oauth, jwt);
    const refused = await sut.authenticate(request(await bearer('authenticated'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'wrong_audience',
      message: `the token is not meant for this MCP server: its aud claim must include "${RESOURCE}"`,
    });
    // A token for this resource reached under another name is not for that name.
    await expect(
      sut.authenticate(request(await bearer(RESOURCE), 'other.example.com')),
    ).rejects.toMatchObject({ reason: 'wrong_audience' });
  });

  it('takes MCP_AUDIENCE instead of the resource URL; other refusals pass unchanged', async () => {
    const sut = new McpJwtAuthenticator({ ...oauth, audience: 'authenticated' }, jwt);
    await expect(sut.authenticate(request(await bearer('authenticated')))).resolves.toMatchObject({
      userId: 'ada',
    });
    await expect(sut.authenticate(request())).rejects.toMatchObject({ reason: 'token_missing' });
  });

  it('keeps one verifier per audience, at most 16', async () => {
    const made: string[] = [];
    const sut = new McpJwtAuthenticator(oauth, (audience) => {
      made.push(audience);
      return jwt(audience);
    });
    for (let i = 0; i < 20; i++)
      await sut.authenticate(request({}, `h${i % 18}.example`)).catch(() => undefined);
    await sut.authenticate(request({}, 'h17.example')).catch(() => undefined);
    expect(made).toHaveLength(20); // h0 and h1 came back after being dropped; h17 is still kept
    expect(new Set(made).size).toBe(18);
  });

  it('is the /mcp authenticator in jwt mode only', () => {
    const api = { mode: 'dev' as const, authenticate: jest.fn<() => Promise<never>>() };
    const env = config();
    expect(mcpAuthenticator(env, mcpOAuthOf(env), api, logger())).toBeInstanceOf(
      McpJwtAuthenticator,
    );
    const dev = loadConfig('gateway', GatewayEnv, { AUTH_MODE: 'dev' });
    expect(mcpAuthenticator(dev, mcpOAuthOf(dev), api, logger())).toBe(api);
  });
});

describe(McpChallengeFilter.name, () => {
  const oauth: McpOAuth = {
    enabled: true,
    resourceUrl: RESOURCE,
    authorizationServers: [ISSUER],
    audience: undefined,
    scopes: [],
    documentation: undefined,
  };

  function answer(sut: McpChallengeFilter, exception: unknown) {
    const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
      headers: {},
    };
    const reply = {
      sent: false,
      raw: { headersSent: false, end: () => undefined },
      header(name: string, value: string) {
        sent.headers[name] = value;
        return reply;
      },
      status(code: number) {
        sent.status = code;
        return reply;
      },
      send(body: unknown) {
        sent.body = body;
        return reply;
      },
    };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({
        getRequest: () => ({ ...request(), id: 'req-1', headers: { 'x-request-id': 'req-1' } }),
        getResponse: () => reply,
      }),
    } as unknown as ArgumentsHost;
    void sut.catch(exception, host);
    return sent;
  }

  it('answers a 401 with the envelope and the OAuth challenge', () => {
    const sent = answer(
      new McpChallengeFilter(oauth, logger()),
      unauthorized('bad_signature', 'the token signature is invalid'),
    );
    expect(sent.status).toBe(401);
    expect(sent.headers['www-authenticate']).toBe(
      'Bearer realm="switchboard", error="invalid_token", error_description="the token signature is invalid", resource_metadata="https://switchboard.example.com/.well-known/oauth-protected-resource/mcp"',
    );
    expect(sent.body).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'the token signature is invalid',
      details: { reason: 'bad_signature' },
    });
  });

  it("leaves every other error, and every error outside jwt mode, to the API's filter", () => {
    const forbidden = answer(
      new McpChallengeFilter(oauth, logger()),
      new DomainError('FORBIDDEN', 'Origin refused'),
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
    const dev = answer(
      new McpChallengeFilter({ ...oauth, enabled: false }, logger()),
      unauthorized('user_header_missing', 'x'),
    );
    expect(dev.status).toBe(401);
    expect(dev.headers['www-authenticate']).toBe('Bearer realm="switchboard"');
  });
});
