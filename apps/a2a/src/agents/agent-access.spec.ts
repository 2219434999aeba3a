import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A2aEnv } from '../config/a2a.env.js';
import { loadA2aTenants } from './agent-access.js';

const file = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-a2a-tenants-')), 'tenants.yaml');
  writeFileSync(path, text);
  return path;
};

describe(loadA2aTenants.name, () => {
  const agents = 'researcher=http://researcher.example,writer=http://writer.example';

  it("reads the tenants' agents when each is one of A2A_AGENTS", () => {
    const config = A2aEnv.parse({
      A2A_AGENTS: agents,
      TENANTS_FILE: file('tenants:\n  acme: { agents: [writer] }\n'),
    });
    expect(loadA2aTenants(config).settingsOf('acme')?.agents).toEqual(['writer']);
  });

  it('refuses to start with an agent that is not configured, naming the tenant and the agent', () => {
    const config = A2aEnv.parse({
      A2A_AGENTS: agents,
      TENANTS_FILE: file('tenants:\n  acme: { agents: [writer, reseacher] }\n'),
    });
    expect(() => loadA2aTenants(config)).toThrow(
      'tenants.acme.agents: no agent "reseacher" in A2A_AGENTS (known: researcher, writer)',
    );
  });

  it('without a file, no tenant has settings', () => {
    expect(loadA2aTenants(A2aEnv.parse({})).tenants()).toEqual([]);
  });
});
