// AUTH_MODE=dev runs a request without X-User-Id as one user: the gateway's TB_DEFAULT_USER_ID default
// (generated into the chart's values schema from its config). `npm run up`, docker compose and the
// docs must name that same user, or a first-time user sees one id in the docs and another in the data.
import { describe, expect, it } from '@jest/globals';
import { readText } from './support/deploy.js';

const schema = JSON.parse(readText('k8s/switchboard/values.schema.json')) as unknown;

/** The default of TB_DEFAULT_USER_ID wherever the schema declares it. */
function schemaDefault(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const setting = (node as Record<string, unknown>)['TB_DEFAULT_USER_ID'] as
    { default?: string } | undefined;
  if (setting?.default) return setting.default;
  for (const child of Object.values(node)) {
    const found = schemaDefault(child);
    if (found) return found;
  }
  return undefined;
}

describe('the dev-mode user', () => {
  const user = schemaDefault(schema);

  it('is the one the gateway defaults to', () => {
    expect(user).toBe('dev-user');
  });

  it('is the one npm run up (infra/up.sh) and docker compose set', () => {
    expect(readText('infra/up.sh')).toMatch(
      new RegExp(`^setdefault TB_DEFAULT_USER_ID ${user}$`, 'm'),
    );
    expect(readText('docker-compose.yml')).toContain(
      `TB_DEFAULT_USER_ID: \${TB_DEFAULT_USER_ID:-${user}}`,
    );
  });

  it('is the one docs/auth.md names', () => {
    expect(readText('docs/auth.md')).toContain(`(default \`${user}\`)`);
  });
});
