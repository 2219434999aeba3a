import { z } from 'zod';
import { redisKeyPrefix } from './base.env.js';
import { ConfigError, loadConfig } from './load-config.js';

const Schema = z.object({
  REDIS_KEY_PREFIX: redisKeyPrefix.describe('keys of this service'),
});

describe('redisKeyPrefix', () => {
  it("defaults to the prefix every service shares ('sb:') and keeps one that is given", () => {
    expect(loadConfig('svc', Schema, {}).REDIS_KEY_PREFIX).toBe('sb:');
    expect(loadConfig('svc', Schema, { REDIS_KEY_PREFIX: 'test-1:' }).REDIS_KEY_PREFIX).toBe(
      'test-1:',
    );
  });

  it('refuses a prefix longer than 64 characters, naming the setting', () => {
    expect(() => loadConfig('svc', Schema, { REDIS_KEY_PREFIX: 'x'.repeat(64) })).not.toThrow();
    let error: unknown;
    try {
      loadConfig('svc', Schema, { REDIS_KEY_PREFIX: 'x'.repeat(65) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^REDIS_KEY_PREFIX: .*64/),
    ]);
  });
});
