import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  allStarted,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const ISSUER = 'https://project.supabase.test/auth/v1';
const AUDIENCE = 'authenticated';
const SECRET = randomBytes(32).toString('hex');
const PROXY_SECRET = randomBytes(24).toString('hex');

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

/** A real JWKS endpoint, like Supabase's, that counts its fetches. */
async function startJwks(keys: JWK[]): Promise<{
  url: string;
  fetches: () => number;
  setKeys(k: JWK[]): void;
  close(): Promise<void>;
}> {
  let current = keys;
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: current }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/auth/v1/.well-known/jwks.json`,
    fetches: () => fetches,
    setKeys: (k) => (current = k),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Claims {
  sub?: string;
  email?: string;
  role?: string;
  app_metadata?: Record<string, unknown>;
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
}

const now = () => Math.floor(Date.now() / 1000);
const base = (over: Claims = {}): Claims => ({
  sub: `user-${randomUUID()}`,
  email: 'ada@example.com',
  role: 'user',
  iss: ISSUER,
  aud: AUDIENCE,
  exp: now() + 600,
  ...over,
});

async function sign(
  claims: Claims,
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string },
): Promise<string> {
  const { iss, aud, exp, nbf, ...rest } = claims;
  let jwt = new SignJWT(rest as Record<string, unknown>)
    .setProtectedHeader({ ...header, typ: 'JWT' })
    .setIssuedAt();
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  if (exp !== undefined) jwt = jwt.setExpirationTime(exp);
  if (nbf !== undefined) jwt = jwt.setNotBefore(nbf);
  return jwt.sign(key);
}

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** `alg: none`: header and claims, empty signature. */
function unsigned(claims: Claims): string {
  return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify({ ...claims, iat: now() }))}.`;
}

/** The classic confusion attack: HS256 with the RS256 public key (PEM) as the HMAC secret. */
async function hs256WithPublicKey(claims: Claims, publicKey: CryptoKey): Promise<string> {
  const pem = await exportSPKI(publicKey);
  return sign(claims, new TextEncoder().encode(pem), { alg: 'HS256' });
}

describe('gateway authentication (real gateway processes, JWKS over HTTP, audit trail)', () => {
  let stack: Stack;
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  let rsa: Keys;
  let ec: Keys;
  let other: Keys;
  let jwtGateway: ServiceHandle;
  let hsGateway: ServiceHandle;
  let proxyGateway: ServiceHandle;
  /** A shared secret and a JWKS at once (Supabase with asymmetric keys added): HS* must use the secret only. */
  let mixedGateway: ServiceHandle;

  beforeAll(async () => {
    [rsa, ec, other] = await Promise.all([
      generateKeyPair('RS256', { extractable: true }),
      generateKeyPair('ES256', { extractable: true }),
      generateKeyPair('RS256', { extractable: true }),
    ]);
    const publicJwk = async (k: Keys, kid: string, alg: string) => ({
      ...(await exportJWK(k.publicKey)),
      kid,
      alg,
      use: 'sig',
    });
    jwks = await startJwks([
      await publicJwk(rsa, 'rsa-1', 'RS256'),
      await publicJwk(ec, 'ec-1', 'ES256'),
    ]);
    stack = await startStack({ services: ['mcp-tools', 'audit'] });
    const common = {
      ...stack.envOf('gateway'),
      RATE_LIMIT_PER_MINUTE: '0',
      // Every refusal here comes from 127.0.0.1 and must be audited (limits.int-spec tests the limit).
      AUTH_FAILURE_LIMIT: '0',
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    };
    [jwtGateway, hsGateway, proxyGateway, mixedGateway] = await allStarted([
      startService(
        'gateway',
        { ...common, AUTH_MODE: 'jwt', JWT_JWKS_URL: jwks.url, JWKS_COOLDOWN_MS: '0' },
        { logDir: stack.logDir },
      ),
      startService(
        'gateway',
        {
          ...common,
          AUTH_MODE: 'jwt',
          JWT_SECRET: SECRET,
          JWT_ROLE_CLAIM: 'app_metadata.role',
          JWT_DEFAULT_ROLE: 'user',
          // the deployment's session tokens are accepted at /mcp (docs/mcp.md, Signing in)
          MCP_AUDIENCE: AUDIENCE,
        },
        { logDir: stack.logDir },
      ),
      startService(
        'gateway',
        { ...common, AUTH_MODE: 'trusted-headers', TRUSTED_PROXY_SECRET: PROXY_SECRET },
        { logDir: stack.logDir },
      ),
      startService(
        'gateway',
        {
          ...common,
          AUTH_MODE: 'jwt',
          JWT_SECRET: SECRET,
          JWT_JWKS_URL: jwks.url,
          JWT_ALGORITHMS: 'HS256,RS256,ES256',
          JWKS_COOLDOWN_MS: '0',
        },
        { logDir: stack.logDir },
      ),
    ]);
    // Four gateway processes and a stack start here: on a busy two-core machine that takes longer
    // than a test's minute.
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([
      jwtGateway?.stop(),
      hsGateway?.stop(),
      proxyGateway?.stop(),
      mixedGateway?.stop(),
    ]);
    await stack?.stop();
    await jwks?.close();
  });

  const call = (gw: ServiceHandle, path: string, headers: Record<string, string>) =>
    fetch(`${gw.url}${path}`, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts valid tokens and refuses every bad one with the right status and reason', async () => {
    const hs = (c: Claims) => sign(c, new TextEncoder().encode(SECRET), { alg: 'HS256' });
    const rs = (c: Claims, kid = 'rsa-1') => sign(c, rsa.privateKey, { alg: 'RS256', kid });
    const es = (c: Claims) => sign(c, ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    const cases: {
      name: string;
      gw: () => ServiceHandle;
      token: () => Promise<string>;
      status: number;
      reason?: string;
    }[] = [
      {
        name: 'valid HS256 (shared secret)',
        gw: () => hsGateway,
        token: () => hs(base({ role: undefined, app_metadata: { role: 'user' } })),
        status: 200,
      },
      { name: 'valid RS256 via JWKS', gw: () => jwtGateway, token: () => rs(base()), status: 200 },
      { name: 'valid ES256 via JWKS', gw: () => jwtGateway, token: () => es(base()), status: 200 },
      {
        name: 'expired',
        gw: () => jwtGateway,
        token: () => rs(base({ exp: now() - 3_600 })),
        status: 401,
        reason: 'token_expired',
      },
      {
        name: 'expired 10 s ago: within the default 30 s leeway',
        gw: () => jwtGateway,
        token: () => rs(base({ exp: now() - 10 })),
        status: 200,
      },
      {
        name: 'expired 40 s ago: beyond the leeway',
        gw: () => jwtGateway,
        token: () => rs(base({ exp: now() - 40 })),
        status: 401,
        reason: 'token_expired',
      },
      {
        name: 'not yet valid',
        gw: () => jwtGateway,
        token: () => rs(base({ nbf: now() + 3_600 })),
        status: 401,
        reason: 'token_not_yet_valid',
      },
      {
        name: 'wrong issuer',
        gw: () => jwtGateway,
        token: () => rs(base({ iss: 'https://evil.example/auth/v1' })),
        status: 401,
        reason: 'wrong_issuer',
      },
      {
        name: 'wrong audience',
        gw: () => jwtGateway,
        token: () => rs(base({ aud: 'service_role' })),
        status: 401,
        reason: 'wrong_audience',
      },
      {
        name: 'no exp',
        gw: () => jwtGateway,
        token: () => rs(base({ exp: undefined })),
        status: 401,
        reason: 'claim_invalid',
      },
      {
        name: 'bad signature',
        gw: () => jwtGateway,
        token: async () => {
          const [h, p] = (await rs(base())).split('.');
          return `${h}.${p}.${b64url(randomBytes(256))}`;
        },
        status: 401,
        reason: 'bad_signature',
      },
      {
        name: 'tampered claims',
        gw: () => jwtGateway,
        token: async () => {
          const [h, , s] = (await rs(base())).split('.');
          return `${h}.${b64url(JSON.stringify(base({ role: 'admin' })))}.${s}`;
        },
        status: 401,
        reason: 'bad_signature',
      },
      {
        name: 'alg none',
        gw: () => jwtGateway,
        token: async () => unsigned(base()),
        status: 401,
        reason: 'algorithm_not_allowed',
      },
      {
        name: 'alg none (HS gateway)',
        gw: () => hsGateway,
        token: async () => unsigned(base()),
        status: 401,
        reason: 'algorithm_not_allowed',
      },
      {
        name: 'HS256 signed with the RS256 public key',
        gw: () => jwtGateway,
        token: () => hs256WithPublicKey(base(), rsa.publicKey),
        status: 401,
        reason: 'algorithm_not_allowed',
      },
      {
        name: 'valid HS256 (secret and JWKS gateway)',
        gw: () => mixedGateway,
        token: () => hs(base()),
        status: 200,
      },
      {
        name: 'valid RS256 (secret and JWKS gateway)',
        gw: () => mixedGateway,
        token: () => rs(base()),
        status: 200,
      },
      {
        // HS256 is accepted here, so the confusion attack meets the HMAC check: against the shared
        // secret only, never a JWKS public key.
        name: 'HS256 signed with the RS256 public key (secret and JWKS gateway)',
        gw: () => mixedGateway,
        token: () => hs256WithPublicKey(base(), rsa.publicKey),
        status: 401,
        reason: 'bad_signature',
      },
      {
        name: 'RS256 on an HS256-only gateway',
        gw: () => hsGateway,
        token: () => rs(base()),
        status: 401,
        reason: 'algorithm_not_allowed',
      },
      {
        name: 'HS256 signed with another secret',
        gw: () => hsGateway,
        token: () => sign(base(), new TextEncoder().encode('x'.repeat(40)), { alg: 'HS256' }),
        status: 401,
        reason: 'bad_signature',
      },
      {
        name: 'unknown kid',
        gw: () => jwtGateway,
        token: () => sign(base(), other.privateKey, { alg: 'RS256', kid: 'rotated-away' }),
        status: 401,
        reason: 'unknown_key',
      },
      {
        name: 'known kid, wrong key',
        gw: () => jwtGateway,
        token: () => sign(base(), other.privateKey, { alg: 'RS256', kid: 'rsa-1' }),
        status: 401,
        reason: 'bad_signature',
      },
      {
        name: 'missing role claim',
        gw: () => jwtGateway,
        token: () => rs(base({ role: undefined })),
        status: 403,
        reason: 'role_claim_missing',
      },
      {
        name: 'missing role claim, default role configured',
        gw: () => hsGateway,
        token: () => hs(base({ role: undefined })),
        status: 200,
      },
      {
        name: 'missing sub',
        gw: () => jwtGateway,
        token: () => rs(base({ sub: undefined })),
        status: 401,
        reason: 'user_claim_invalid',
      },
      {
        name: 'not a JWT',
        gw: () => jwtGateway,
        token: async () => 'not-a-token',
        status: 401,
        reason: 'token_malformed',
      },
    ];
    const seen: { name: string; status: number; reason?: string }[] = [];
    for (const c of cases) {
      const token = await c.token();
      const r = await call(c.gw(), '/tools', bearer(token));
      const body = (await r.json()) as {
        code?: string;
        message?: string;
        details?: { reason?: string };
        requestId?: string;
      };
      seen.push({
        name: c.name,
        status: r.status,
        ...(c.reason ? { reason: body.details?.reason } : {}),
      });
      if (r.status >= 400) {
        // The reason never carries the token or key material.
        expect(JSON.stringify(body)).not.toContain(token.split('.')[2] || token);
        expect(body.requestId).toEqual(expect.any(String));
      }
      if (r.status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(seen).toEqual(
      cases.map((c) => ({
        name: c.name,
        status: c.status,
        ...(c.reason ? { reason: c.reason } : {}),
      })),
    );

    const noHeader = await call(jwtGateway, '/tools', {});
    expect(noHeader.status).toBe(401);
    expect(((await noHeader.json()) as { details: { reason: string } }).details.reason).toBe(
      'token_missing',
    );
    const basic = await call(jwtGateway, '/tools', { authorization: 'Basic YWRhOnB3' });
    expect(basic.status).toBe(401);
  });

  it('refetches the JWKS for an unknown kid (key rotation) and accepts the new key', async () => {
    const rotated = await generateKeyPair('ES256', { extractable: true });
    const token = await sign(base(), rotated.privateKey, { alg: 'ES256', kid: 'ec-2' });
    const before = jwks.fetches();
    jwks.setKeys([
      { ...(await exportJWK(rotated.publicKey)), kid: 'ec-2', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    ]);
    const r = await call(jwtGateway, '/tools', bearer(token));
    expect(r.status).toBe(200);
    expect(jwks.fetches()).toBeGreaterThan(before);
    // Cached now: a second request does not fetch again.
    const after = jwks.fetches();
    expect((await call(jwtGateway, '/tools', bearer(token))).status).toBe(200);
    expect(jwks.fetches()).toBe(after);
  });

  it('carries user and role downstream: admin-only routes follow the role claim', async () => {
    const adminToken = await sign(base({ sub: 'root-admin', role: 'admin' }), rsa.privateKey, {
      alg: 'RS256',
      kid: 'rsa-1',
    });
    const userToken = await sign(base({ sub: 'plain-user', role: 'user' }), rsa.privateKey, {
      alg: 'RS256',
      kid: 'rsa-1',
    });
    expect((await call(jwtGateway, '/audit?limit=1', bearer(userToken))).status).toBe(403);
    const ok = await call(jwtGateway, '/audit?limit=5&category=auth', bearer(adminToken));
    expect(ok.status).toBe(200);
  });

  it('a user token calling the admin-only tool is refused and audited; an admin token may call it', async () => {
    // Acceptance scenario 5, with the role where Supabase puts it (app_metadata.role).
    const hs = (c: Claims) => sign(c, new TextEncoder().encode(SECRET), { alg: 'HS256' });
    const clients: Client[] = [];
    const connectWith = async (token: string) => {
      const client = new Client({ name: 'auth-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${hsGateway.url}/mcp`), {
          requestInit: { headers: bearer(token) },
        }),
      );
      clients.push(client);
      return client;
    };
    try {
      const userSub = `tool-user-${randomUUID()}`;
      const user = await connectWith(
        await hs(base({ sub: userSub, role: undefined, app_metadata: { role: 'user' } })),
      );
      const refused = await user.callTool({ name: 'admin.debug', arguments: {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(McpError);
      expect((refused as McpError).message).toContain('admin-only');
      const rows = await waitFor(async () => {
        const found = await stack.dbs.audit.query<{ outcome: string; role: string }>(
          `SELECT outcome, role FROM "AuditEntry" WHERE action = 'tool.call' AND resource = 'admin.debug' AND "userId" = $1`,
          [userSub],
        );
        return found.length ? found : undefined;
      });
      expect(rows).toEqual([{ outcome: 'denied', role: 'user' }]);

      const admin = await connectWith(
        await hs(base({ role: undefined, app_metadata: { role: 'admin' } })),
      );
      const debug = await admin.callTool({ name: 'admin.debug', arguments: {} });
      expect(debug.isError).toBeFalsy();
      expect(debug.structuredContent).toMatchObject({ service: { name: 'mcp-tools' } });
    } finally {
      await Promise.allSettled(clients.map((c) => c.close()));
    }
  });

  it('trusted-headers: refuses without or with a wrong proxy secret, accepts with it', async () => {
    const user = {
      'x-supabase-user-id': 'supa-user',
      'x-supabase-email': 'ada@example.com',
      'x-supabase-role': 'user',
    };
    const without = await call(proxyGateway, '/tools', user);
    expect(without.status).toBe(401);
    expect(((await without.json()) as { details: { reason: string } }).details.reason).toBe(
      'proxy_secret_missing',
    );
    const wrong = await call(proxyGateway, '/tools', {
      ...user,
      'x-proxy-secret': 'not-the-secret',
    });
    expect(wrong.status).toBe(401);
    const wrongBody = await wrong.text();
    expect(wrongBody).toContain('proxy_secret_mismatch');
    expect(wrongBody).not.toContain(PROXY_SECRET);
    const ok = await call(proxyGateway, '/tools', { ...user, 'x-proxy-secret': PROXY_SECRET });
    expect(ok.status).toBe(200);
    const noUser = await call(proxyGateway, '/tools', { 'x-proxy-secret': PROXY_SECRET });
    expect(noUser.status).toBe(401);
    const badRole = await call(proxyGateway, '/tools', {
      ...user,
      'x-supabase-role': 'Not A Role',
      'x-proxy-secret': PROXY_SECRET,
    });
    expect(badRole.status).toBe(403);
    // A JWT is not a way in on a trusted-headers gateway.
    expect(
      (
        await call(proxyGateway, '/tools', {
          authorization: `Bearer ${await sign(base(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })}`,
        })
      ).status,
    ).toBe(401);
  });

  it('audits every refusal under `auth` with its reason and no credential', async () => {
    const token = await sign(base({ exp: now() - 60 }), rsa.privateKey, {
      alg: 'RS256',
      kid: 'rsa-1',
    });
    const r = await call(jwtGateway, '/tools', {
      ...bearer(token),
      'x-request-id': `audit-probe-${randomUUID()}`,
    });
    expect(r.status).toBe(401);
    const correlationId = r.headers.get('x-request-id');
    const rows = await waitFor(
      async () => {
        const found = await stack.dbs.audit.query<{
          category: string;
          action: string;
          outcome: string;
          details: Record<string, unknown>;
        }>(
          'SELECT category, action, outcome, details FROM "AuditEntry" WHERE "correlationId" = $1',
          [correlationId],
        );
        return found.length ? found : undefined;
      },
      { what: 'the audit row of the refusal' },
    );
    expect(rows).toEqual([
      {
        category: 'auth',
        action: 'auth.refused',
        outcome: 'denied',
        details: expect.objectContaining({ mode: 'jwt', reason: 'token_expired', status: 401 }),
      },
    ]);
    const all = await stack.dbs.audit.query<{ details: unknown }>(
      `SELECT details FROM "AuditEntry" WHERE category = 'auth'`,
    );
    const dump = JSON.stringify(all);
    expect(dump).not.toContain(token.split('.')[2]);
    expect(dump).not.toContain(PROXY_SECRET);
    expect(dump).not.toContain(createHash('sha256').update(SECRET).digest('hex').slice(0, 16));
    expect(dump).not.toContain(SECRET);
  });

  it('refuses to start in dev mode under NODE_ENV=production on every interface: exits 1 with the reason', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/apps/gateway/src/main.js')], {
      env: {
        ...stack.envOf('gateway'),
        NODE_ENV: 'production',
        AUTH_MODE: 'dev',
        HOST: '0.0.0.0',
        PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /AUTH_MODE: dev mode trusts X-User-Id and is refused with NODE_ENV=production/,
    );
  });
});
