import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { AgentLookup } from '../agent-lookup.js';
import { auditSpy, config, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentVersionUseCase } from '../create-agent-version/create-agent-version.use-case.js';
import { CreateAgentUseCase } from '../create-agent/create-agent.use-case.js';
import { SetAgentCanaryUseCase } from './set-agent-canary.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };

async function setup() {
  const store = new InMemoryAgents();
  const { audit, records } = auditSpy();
  const repository = store.asRepository();
  const lookup = new AgentLookup(repository);
  await new CreateAgentUseCase(repository, audit).execute(
    { name: 'support', config: config() },
    admin,
  );
  await new CreateAgentVersionUseCase(lookup, repository, audit).execute(
    { agent: 'support', config: config({ tools: ['echo'] }) },
    admin,
  );
  records.length = 0;
  const sut = new SetAgentCanaryUseCase(lookup, repository, store.asRouting(), audit);
  return { sut, records };
}

const errorOf = (p: Promise<unknown>): Promise<string[] | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => {
      if (!isDomainError(e)) throw e;
      return [e.code, e.message.split(':')[0] ?? ''];
    },
  );

describe(SetAgentCanaryUseCase.name, () => {
  it('splits a label, shows the split on the label, removes it; each audited', async () => {
    const { sut, records } = await setup();
    const split = { agent: 'support', label: 'production' };
    const set = await sut.execute({ ...split, canary: { version: 2, weight: 10 } }, admin);
    expect(set).toMatchObject({
      label: 'production',
      version: 1,
      canary: { version: 2, weight: 10 },
    });
    const removed = await sut.execute({ ...split, canary: null }, admin);
    expect(removed.version).toBe(1);
    expect(removed.canary).toBeUndefined();
    expect(records.map((r) => [r.action, r.details])).toEqual([
      ['agent.label.canary', { label: 'production', version: 1, canary: 2, weight: 10 }],
      ['agent.label.canary', { label: 'production', version: 1 }],
    ]);
  });

  it("refuses a label or version the agent lacks, the label's own version, a non-admin — naming the field", async () => {
    const { sut, records } = await setup();
    const req = (label: string, version: number) => ({
      agent: 'support',
      label,
      canary: { version, weight: 10 },
    });
    expect(await errorOf(sut.execute(req('staging', 2), admin))).toEqual(['NOT_FOUND', 'label']);
    expect(await errorOf(sut.execute(req('production', 9), admin))).toEqual([
      'NOT_FOUND',
      'canary.version',
    ]);
    expect(await errorOf(sut.execute(req('production', 1), admin))).toEqual([
      'VALIDATION',
      'canary.version',
    ]);
    const user = { ...admin, role: 'user' as const };
    expect((await errorOf(sut.execute(req('production', 2), user)))?.[0]).toBe('FORBIDDEN');
    expect(records).toEqual([]);
  });
});
