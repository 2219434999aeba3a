import { describe, expect, it, jest } from '@jest/globals';
import { ConfigError, loadConfig, loadConfigOrExit } from '@switchboard/config';
import { GatewayEnv } from './gateway.env.js';

const SECRET = 's'.repeat(40);

describe('GatewayEnv', () => {
  it('refuses dev mode under NODE_ENV=production on a network interface, naming the key', () => {
    expect(() =>
      loadConfig('gateway', GatewayEnv, { NODE_ENV: 'production', AUTH_MODE: 'dev' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig('gateway', GatewayEnv, { NODE_ENV: 'production', AUTH_MODE: 'dev' }),
    ).toThrow(/AUTH_MODE: dev mode trusts X-User-Id and is refused with NODE_ENV=production/);
    expect(
      loadConfig('gateway', GatewayEnv, { NODE_ENV: 'development', AUTH_MODE: 'dev' }).AUTH_MODE,
    ).toBe('dev');
  });

  it.each(['127.0.0.1', '::1', 'localhost'])(
    'allows dev mode under NODE_ENV=production bound to the loopback %s (as npm run up runs)',
    (HOST) => {
      const env = { NODE_ENV: 'production', AUTH_MODE: 'dev', HOST };
      expect(loadConfig('gateway', GatewayEnv, env).AUTH_MODE).toBe('dev');
      expect(() => loadConfig('gateway', GatewayEnv, { ...env, HOST: '0.0.0.0' })).toThrow(
        /AUTH_MODE: dev mode trusts X-User-Id and is refused with NODE_ENV=production/,
      );
    },
  );

  it('makes the service exit non-zero with the message at boot (loadConfigOrExit)', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() =>
        loadConfigOrExit('gateway', GatewayEnv, { NODE_ENV: 'production', AUTH_MODE: 'dev' }),
      ).toThrow('exit 1');
      expect(exit).toHaveBeenCalledWith(1);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(
        /^gateway: invalid configuration .*\n {2}- AUTH_MODE: dev mode trusts X-User-Id and is refused with NODE_ENV=production/s,
      );
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });

  it.each([
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1,loopback', ['10.0.0.0/8', '127.0.0.1', 'loopback']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%p', (raw, parsed) => {
    expect(
      loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, TRUST_PROXY: raw }).TRUST_PROXY,
    ).toEqual(parsed);
  });

  it.each(['proxy.example', '10.0.0.0/33', '1.2.3.4/x', '::1/129'])(
    'refuses TRUST_PROXY=%p',
    (raw) => {
      expect(() =>
        loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, TRUST_PROXY: raw }),
      ).toThrow(/TRUST_PROXY: must be false, true, a hop count, or proxy addresses/);
    },
  );

  it('defaults: no trusted proxy, 30 refused authentications per 5 minutes, 1 MiB per stream', () => {
    expect(loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET })).toMatchObject({
      TRUST_PROXY: false,
      AUTH_FAILURE_LIMIT: 30,
      AUTH_FAILURE_WINDOW_SECONDS: 300,
      SSE_MAX_BUFFER_BYTES: 1_048_576,
    });
  });
  it('reads the tenant quota settings, naming a variable out of range', () => {
    expect(loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET })).toMatchObject({
      QUOTA_TASK_LEASE_MS: 600_000,
      QUOTA_RETRY_AFTER_SECONDS: 5,
      QUOTA_METRICS_MAX_TENANTS: 50,
    });
    expect(() =>
      loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, QUOTA_TASK_LEASE_MS: '500' }),
    ).toThrow(/QUOTA_TASK_LEASE_MS/);
    expect(() =>
      loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, QUOTA_METRICS_MAX_TENANTS: '-1' }),
    ).toThrow(/QUOTA_METRICS_MAX_TENANTS/);
  });
  it('reads the MCP allow-lists: loopback hosts by default, host names without ports, whole origins', () => {
    expect(loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET })).toMatchObject({
      MCP_ALLOWED_HOSTS: ['localhost', '127.0.0.1', '[::1]'],
      MCP_ALLOWED_ORIGINS: [],
    });
    expect(
      loadConfig('gateway', GatewayEnv, {
        JWT_SECRET: SECRET,
        MCP_ALLOWED_HOSTS: 'API.example.com, localhost',
        MCP_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:5173',
      }),
    ).toMatchObject({
      MCP_ALLOWED_HOSTS: ['api.example.com', 'localhost'],
      MCP_ALLOWED_ORIGINS: ['https://app.example.com', 'http://localhost:5173'],
    });
    for (const bad of ['api.example.com:443', 'https://api.example.com', ' , ']) {
      expect(() =>
        loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, MCP_ALLOWED_HOSTS: bad }),
      ).toThrow(/MCP_ALLOWED_HOSTS/);
    }
    for (const bad of ['app.example.com', 'https://app.example.com/path', 'ftp://x.example']) {
      expect(() =>
        loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, MCP_ALLOWED_ORIGINS: bad }),
      ).toThrow(/MCP_ALLOWED_ORIGINS\.0: must be origins/);
    }
  });

  it('reads the MCP OAuth settings: none by default, URLs checked, errors naming the variable', () => {
    const defaults = loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET });
    expect(Object.keys(defaults).filter((k) => /^MCP_(?!ALLOWED_)/.test(k))).toEqual([]);
    expect(
      loadConfig('gateway', GatewayEnv, {
        JWT_SECRET: SECRET,
        MCP_RESOURCE_URL: 'https://Switchboard.Example.com:443/mcp',
        MCP_AUTHORIZATION_SERVERS:
          'https://abcd.supabase.co/auth/v1, http://127.0.0.1:9999/auth/v1',
        MCP_AUDIENCE: 'authenticated',
        MCP_SCOPES_SUPPORTED: 'openid, email',
        MCP_RESOURCE_DOCUMENTATION: 'https://docs.example.com/mcp',
      }),
    ).toMatchObject({
      MCP_RESOURCE_URL: 'https://switchboard.example.com/mcp',
      MCP_AUTHORIZATION_SERVERS: [
        'https://abcd.supabase.co/auth/v1',
        'http://127.0.0.1:9999/auth/v1',
      ],
      MCP_AUDIENCE: 'authenticated',
      MCP_SCOPES_SUPPORTED: ['openid', 'email'],
    });
    // A resource without a path keeps it (no slash added: clients send it verbatim).
    expect(
      loadConfig('gateway', GatewayEnv, {
        JWT_SECRET: SECRET,
        MCP_RESOURCE_URL: 'https://mcp.example.com',
      }).MCP_RESOURCE_URL,
    ).toBe('https://mcp.example.com');
    for (const bad of [
      'http://switchboard.example.com/mcp',
      'https://switchboard.example.com/mcp?x=1',
      'https://switchboard.example.com/mcp#top',
      'https://user:pw@switchboard.example.com/mcp',
      'switchboard.example.com/mcp',
    ]) {
      expect(() =>
        loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, MCP_RESOURCE_URL: bad }),
      ).toThrow(/MCP_RESOURCE_URL: must be an https URL \(http only on localhost/);
    }
    expect(() =>
      loadConfig('gateway', GatewayEnv, {
        JWT_SECRET: SECRET,
        MCP_AUTHORIZATION_SERVERS: 'https://ok.example,http://auth.example',
      }),
    ).toThrow(/MCP_AUTHORIZATION_SERVERS\.1: must be an https URL/);
    expect(() =>
      loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, MCP_AUTHORIZATION_SERVERS: ' , ' }),
    ).toThrow(/MCP_AUTHORIZATION_SERVERS: must name at least one issuer URL/);
    expect(() =>
      loadConfig('gateway', GatewayEnv, { JWT_SECRET: SECRET, MCP_SCOPES_SUPPORTED: 'a b' }),
    ).toThrow(/MCP_SCOPES_SUPPORTED\.0: must be OAuth scope tokens/);
    expect(() =>
      loadConfig('gateway', GatewayEnv, {
        JWT_SECRET: SECRET,
        MCP_RESOURCE_DOCUMENTATION: 'docs',
      }),
    ).toThrow(/MCP_RESOURCE_DOCUMENTATION/);
  });
});
