import { describe, expect, it } from '@jest/globals';
import { type Actor, Agents, isDomainError } from '@switchboard/contracts';
import { sha256 } from '../agent-config.js';
import { auditSpy, config, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentUseCase } from './create-agent.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const user: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };

function setup() {
  const store = new InMemoryAgents();
  const { audit, records } = auditSpy();
  return { sut: new CreateAgentUseCase(store.asRepository(), audit), store, records };
}

const body = (name = 'support') =>
  Agents.AgentCreateRequest.parse({ name, config: config({ tools: ['notes.*'] }) });

describe(CreateAgentUseCase.name, () => {
  it("stores version 1 in the admin's tenant with production on it, audited", async () => {
    const { sut, store, records } = setup();
    const view = await sut.execute(body(), admin);
    expect(view).toMatchObject({ agent: 'support', tenantId: 'acme', latestVersion: 1 });
    expect(view.labels).toEqual([expect.objectContaining({ label: 'production', version: 1 })]);
    expect(store.agents[0]?.versions[0]?.instructionsSha256).toBe(sha256('Answer briefly.'));
    expect(records).toEqual([
      expect.objectContaining({ action: 'agent.create', outcome: 'success', tenantId: 'acme' }),
    ]);
  });

  it('refuses a name taken in the tenant (409 naming it), not one taken in another tenant', async () => {
    const { sut } = setup();
    await sut.execute(body(), admin);
    const again = await sut.execute(body(), admin).catch((e: unknown) => e);
    expect(isDomainError(again) && again.code).toBe('CONFLICT');
    expect(isDomainError(again) && again.message).toMatch(/^name: /);
    await expect(sut.execute(body(), { ...admin, tenantId: 'globex' })).resolves.toMatchObject({
      tenantId: 'globex',
    });
  });

  it('is FORBIDDEN to a user who is not an admin, and stores nothing', async () => {
    const { sut, store, records } = setup();
    const refused = await sut.execute(body(), user).catch((e: unknown) => e);
    expect(isDomainError(refused) && refused.code).toBe('FORBIDDEN');
    expect(store.agents).toHaveLength(0);
    expect(records).toHaveLength(0);
  });

  it('rejects a bad configuration naming the field', () => {
    const parsed = Agents.AgentCreateRequest.safeParse({
      name: 'Support!',
      config: { instructions: 'x', model: { name: 'm', temperature: 5 }, tools: ['no spaces'] },
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'config.model.temperature', 'config.tools.0']),
    );
  });
});
