import {
  discoverOAuthProtectedResourceMetadata,
  discoverOAuthServerInfo,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type Stack, startService, startStack } from '@switchboard/testing';
import { decodeJwt, SignJWT } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const SECRET = randomBytes(32).toString('hex');
const CLIENT = { id: 'e2e-mcp-client', secret: randomBytes(16).toString('hex') };

function sign(sub: string, aud: string, issuer: string, role = 'user'): Promise<string> {
  return new SignJWT({ role, email: `${sub}@example.com` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(issuer)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

interface AuthServer {
  /** `http://127.0.0.1:<port>/auth/v1`: the path Supabase Auth's issuer has. */
  issuer: string;
  tokenEndpoint: string;
  /** The `resource` parameter (RFC 8707) of each token request. */
  resources: (string | null)[];
  /** The access tokens it issued. */
  issued: string[];
  stop(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });

/**
 * A stand-in authorization server laid out like Supabase Auth (issuer `…/auth/v1`, RFC 8414 metadata
 * at `/.well-known/oauth-authorization-server/auth/v1`). Unlike Supabase it grants client_credentials
 * (the SDK's non-interactive sign-in) and honours RFC 8707: a token's `aud` is the `resource` asked
 * for. It signs with the gateway's JWT_SECRET.
 */
async function startAuthServer(): Promise<AuthServer> {
  const resources: (string | null)[] = [];
  const issued: string[] = [];
  let issuer = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (req.method === 'GET' && path === '/.well-known/oauth-authorization-server/auth/v1')
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/oauth/authorize`,
          token_endpoint: `${issuer}/oauth/token`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          code_challenge_methods_supported: ['S256'],
        });
      if (req.method === 'POST' && path === '/auth/v1/oauth/token') {
        const form = new URLSearchParams(await body(req));
        const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;
        if (req.headers.authorization !== basic) return json(401, { error: 'invalid_client' });
        if (form.get('grant_type') !== 'client_credentials')
          return json(400, { error: 'unsupported_grant_type' });
        const resource = form.get('resource');
        resources.push(resource);
        if (!resource) return json(400, { error: 'invalid_target' });
        const token = await sign(`oauth-${randomUUID().slice(0, 8)}`, resource, issuer);
        issued.push(token);
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: 600 });
      }
      json(404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/v1`;
  return {
    issuer,
    tokenEndpoint: `${issuer}/oauth/token`,
    resources,
    issued,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'e2e-raw', version: '1.0.0' },
  },
};

// MCP clients that sign in (MCP authorization 2025-11-25): the gateway's /mcp in AUTH_MODE=jwt as an
// OAuth 2.0 protected resource — its 401s point to its Protected Resource Metadata (RFC 9728), which
// names the authorization server (JWT_ISSUER), and it takes only tokens issued for it (RFC 8707).
// Real gateway, mcp-tools and audit processes; the SDK's own client does the discovery and sign-in.
describe('MCP clients that sign in: /mcp as an OAuth protected resource (JWT auth, real processes)', () => {
  let stack: Stack;
  let as: AuthServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    as = await startAuthServer();
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'gateway'],
      env: {
        gateway: {
          AUTH_MODE: 'jwt',
          JWT_SECRET: SECRET,
          JWT_ISSUER: as.issuer,
          // The rest of the API keeps taking Supabase-style session tokens.
          JWT_AUDIENCE: 'authenticated',
        },
      },
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await stack?.stop();
    await as?.stop();
  });

  const gw = () => stack.gatewayUrl;
  /** The MCP resource: MCP_RESOURCE_URL is unset, so it is the URL the client reaches. */
  const resource = () => `${gw()}/mcp`;
  const metadataUrl = () => `${gw()}/.well-known/oauth-protected-resource/mcp`;
  const postMcp = (headers: Record<string, string> = {}) =>
    fetch(resource(), {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(INITIALIZE),
    });
  const connect = async (transport: StreamableHTTPClientTransport): Promise<Client> => {
    const client = new Client({ name: 'e2e-oauth-client', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    return client;
  };

  it('answers /mcp without a token with 401 and the resource_metadata pointer', async () => {
    const res = await postMcp();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="switchboard", resource_metadata="${metadataUrl()}"`,
    );
    expect(await res.json()).toMatchObject({
      code: 'UNAUTHORIZED',
      details: { reason: 'token_missing' },
    });
    // What the SDK's client reads from it.
    expect(extractWWWAuthenticateParams(res).resourceMetadataUrl?.href).toBe(metadataUrl());
  });

  it('publishes the metadata at the pointer (and at the root well-known URL), naming the authorization server and the resource', async () => {
    const res = await postMcp();
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(res);
    const metadata = await discoverOAuthProtectedResourceMetadata(new URL(resource()), {
      resourceMetadataUrl,
    });
    expect(metadata).toEqual({
      resource: resource(),
      authorization_servers: [as.issuer],
      bearer_methods_supported: ['header'],
      resource_name: 'Switchboard',
    });
    for (const url of [metadataUrl(), `${gw()}/.well-known/oauth-protected-resource`]) {
      const direct = await fetch(url);
      expect(direct.status).toBe(200);
      expect(direct.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(direct.headers.get('access-control-allow-origin')).toBe('*');
      expect(await direct.json()).toEqual(metadata);
    }
    // From the 401 to the authorization server's own metadata, as the SDK's auth flow does it.
    const info = await discoverOAuthServerInfo(new URL(resource()), { resourceMetadataUrl });
    expect(info.authorizationServerUrl).toBe(as.issuer);
    expect(info.authorizationServerMetadata).toMatchObject({
      issuer: as.issuer,
      token_endpoint: as.tokenEndpoint,
    });
    // A client that got no pointer finds the same document at the path-suffixed URL first.
    expect(await discoverOAuthProtectedResourceMetadata(new URL(resource()))).toEqual(metadata);
  });

  it('lets the standard client sign in on its own: 401 → metadata → authorization server → a token for this resource → tools/list', async () => {
    const provider = new ClientCredentialsProvider({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      expectedIssuer: as.issuer,
    });
    const transport = new StreamableHTTPClientTransport(new URL(resource()), {
      authProvider: provider,
    });
    const before = as.issued.length;
    const client = await connect(transport);
    // It asked for a token for the MCP resource the metadata names (RFC 8707), and got one.
    expect(as.resources.at(-1)).toBe(resource());
    expect(as.issued.length).toBe(before + 1);
    expect(decodeJwt(as.issued.at(-1)!).aud).toBe(resource());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['calculator', 'time.now']));
    const result = await client.callTool({
      name: 'calculator',
      arguments: { expression: '17 * 23' },
    });
    expect(result.structuredContent).toEqual({ expression: '17 * 23', result: 391 });
  });

  it('serves a client that sends a token with the MCP audience; that token is not one for the rest of the API', async () => {
    const token = await sign(`mcp-${randomUUID().slice(0, 8)}`, resource(), as.issuer);
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(resource()), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('calculator');
    const api = await fetch(`${gw()}/tools`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ details: { reason: 'wrong_audience' } });
  });

  it('refuses a token for another audience at /mcp: 401 invalid_token naming the audience, counted; the API still takes it', async () => {
    const sub = `other-aud-${randomUUID().slice(0, 8)}`;
    const token = await sign(sub, 'authenticated', as.issuer);
    const res = await postMcp({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    const required = `the token is not meant for this MCP server: its aud claim must include "${resource()}"`;
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="switchboard", error="invalid_token", error_description="${required.replace(/"/g, "'")}", resource_metadata="${metadataUrl()}"`,
    );
    const refusal = (await res.json()) as { code: string; message: string; details: unknown };
    expect(refusal).toMatchObject({
      code: 'UNAUTHORIZED',
      message: required,
      details: { reason: 'wrong_audience' },
    });
    expect(JSON.stringify(refusal)).not.toContain(token.split('.')[1]!);
    expect(extractWWWAuthenticateParams(res)).toMatchObject({ error: 'invalid_token' });

    // The SDK's client without a way to sign in cannot connect with it.
    await expect(
      connect(
        new StreamableHTTPClientTransport(new URL(resource()), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      ),
    ).rejects.toMatchObject({ code: 401 });

    // The API's refusal accounting covers /mcp: counted (and audited) with its reason.
    const metrics = await (await fetch(`${gw()}/metrics`)).text();
    expect(metrics).toMatch(
      /^sb_gateway_auth_failures_total\{(?=[^}]*mode="jwt")(?=[^}]*reason="wrong_audience")[^}]*\} [1-9]/m,
    );

    // The rest of the API keeps JWT_AUDIENCE: the same token is a user there.
    const api = await fetch(`${gw()}/tools`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
  });

  it('says invalid_token for a token that does not verify, still pointing to the metadata', async () => {
    const forged = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer(as.issuer)
      .setAudience(resource())
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    const res = await postMcp({ authorization: `Bearer ${forged}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="switchboard", error="invalid_token", error_description="the token signature is invalid", resource_metadata="${metadataUrl()}"`,
    );
  });

  it('with MCP_RESOURCE_URL: publishes that resource and takes tokens for it, whatever name the request used', async () => {
    const canonical = 'https://switchboard.example.com/mcp';
    const configured = await startService(
      'gateway',
      {
        ...stack.envOf('gateway'),
        MCP_RESOURCE_URL: canonical,
        MCP_SCOPES_SUPPORTED: 'openid,email',
      },
      { logDir: stack.logDir },
    );
    try {
      const unauthenticated = await fetch(`${configured.url}/mcp`, { method: 'POST' });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('www-authenticate')).toBe(
        'Bearer realm="switchboard", scope="openid email", resource_metadata="https://switchboard.example.com/.well-known/oauth-protected-resource/mcp"',
      );
      const metadata = await fetch(`${configured.url}/.well-known/oauth-protected-resource/mcp`);
      expect(await metadata.json()).toEqual({
        resource: canonical,
        authorization_servers: [as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['openid', 'email'],
        resource_name: 'Switchboard',
      });
      const token = await sign(`canon-${randomUUID().slice(0, 8)}`, canonical, as.issuer);
      const client = await connect(
        new StreamableHTTPClientTransport(new URL(`${configured.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('calculator');
      const local = await sign('local', resource(), as.issuer);
      const refused = await fetch(`${configured.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${local}` },
      });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ details: { reason: 'wrong_audience' } });
    } finally {
      await Promise.allSettled(clients.splice(0).map((c) => c.close()));
      await configured.stop();
    }
  });
});
