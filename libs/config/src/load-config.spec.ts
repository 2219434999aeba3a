import { z } from 'zod';
import { BaseEnv, envBoolean } from './base.env.js';
import { ConfigError, isSecretKey, loadConfig } from './load-config.js';

const Schema = BaseEnv.extend({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  DATABASE_URL: z.string().url(),
  API_SECRET: z.string().min(8),
});

describe(loadConfig.name, () => {
  it('parses, coerces and applies defaults', () => {
    const c = loadConfig('svc', Schema, {
      DATABASE_URL: 'postgresql://x/y',
      API_SECRET: 'abcdefgh',
      NATS_SERVERS: 'nats://a:4222, nats://b:4222',
    });
    expect(c).toMatchObject({
      PORT: 3000,
      NODE_ENV: 'development',
      NATS_SERVERS: ['nats://a:4222', 'nats://b:4222'],
      LOG_PRETTY: false,
    });
  });

  it('lists every problem in one error, naming each key, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig('svc', Schema, {
        PORT: 'eighty',
        API_SECRET: 'short',
        NATS_SERVERS: 'not a url',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const key of ['PORT', 'DATABASE_URL', 'API_SECRET', 'NATS_SERVERS', 'LOG_LEVEL'])
      expect(message).toContain(key);
    expect(message).toContain('DATABASE_URL: ');
    expect(message).toMatch(/DATABASE_URL.*is missing/);
    expect(message).toContain('got "eighty"');
    expect(message).not.toContain('short');
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('shows a bad URL without the password it carries', () => {
    const Url = z.object({ DATABASE_URL: z.string().url().startsWith('postgresql://') });
    expect(() => loadConfig('svc', Url, { DATABASE_URL: 'mysql://app:hunter2@db:3306/x' })).toThrow(
      /got "mysql:\/\/app:\*\*\*@db:3306\/x"/,
    );
    expect(() =>
      loadConfig('svc', Url, { DATABASE_URL: 'mysql://app:hunter2@db:3306/x' }),
    ).not.toThrow(/hunter2/);
  });

  it.each([
    ['NATS_TOKEN', true],
    ['OPENAI_API_KEY', true],
    ['JWT_SECRET', true],
    ['XMPP_PLATFORM_PASSWORD', true],
    ['AZTM_PASSWORD', true],
    ['TASK_TOKEN_BUDGET', false],
    ['LLM_MAX_OUTPUT_TOKENS', false],
    ['REDIS_KEY_PREFIX', false],
    ['PORT', false],
    ['TENANT_CREDENTIALS_DIR', false],
    ['CREDENTIALS_FILE', true],
  ])('isSecretKey(%s) is %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });

  it('treats empty values as unset', () => {
    expect(
      loadConfig('svc', Schema, {
        DATABASE_URL: 'postgresql://x/y',
        API_SECRET: 'abcdefgh',
        PORT: '',
      }).PORT,
    ).toBe(3000);
  });

  it.each([
    ['true', true],
    ['ON', true],
    ['0', false],
    ['no', false],
  ])('reads boolean %p', (raw, value) => {
    expect(envBoolean.parse(raw)).toBe(value);
  });

  it('rejects a boolean it cannot read', () => {
    expect(envBoolean.safeParse('maybe').success).toBe(false);
  });
});
