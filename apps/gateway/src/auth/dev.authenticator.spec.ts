import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@switchboard/observability';
import { DevAuthenticator } from './dev.authenticator.js';

describe(DevAuthenticator.name, () => {
  it('says at start-up which user an anonymous request becomes, and that the headers set it', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'gateway',
      instance: 'test',
      level: 'info',
      pretty: false,
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    new DevAuthenticator('dev-user').announce(logger);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        authMode: 'dev',
        defaultUserId: 'dev-user',
        defaultRole: 'user',
        msg: 'AUTH_MODE=dev: a request without X-User-Id runs as "dev-user" (role user, TB_DEFAULT_USER_ID); the X-User-Id and X-User-Role headers set the user and the role',
      }),
    ]);
  });
});
