import { describe, expect, it } from '@jest/globals';
import { type Actor, Agents, DomainError, isDomainError, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { AgentChoiceCheck } from './agent-choice.check.js';

const actor: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const view: Agents.AgentView = {
  agent: 'support',
  tenantId: 'acme',
  latestVersion: 2,
  labels: [
    {
      label: 'production',
      versionId: '0c4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
      version: 1,
      movedBy: 'ann',
      movedAt: '2026-11-27T10:00:00.000Z',
    },
  ],
  createdAt: '2026-11-27T10:00:00.000Z',
};

function setup() {
  const asked: unknown[] = [];
  const bus = {
    request: (contract: unknown, req: { agent: string }) => {
      asked.push([contract, req]);
      return req.agent === 'support'
        ? Promise.resolve(view)
        : Promise.reject(new DomainError('NOT_FOUND', `agent ${req.agent} not found`));
    },
  } as unknown as NatsBus;
  return { sut: new AgentChoiceCheck(bus), asked };
}

const fieldOf = async (p: Promise<void>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  return isDomainError(e)
    ? [e.code, (e.details as { issues: { path: string }[] }).issues[0]?.path]
    : e;
};

describe(AgentChoiceCheck.name, () => {
  it('passes what the tenant has: production by default, a label it has, a version up to its latest', async () => {
    const { sut, asked } = setup();
    const req = (agent?: Tasks.TaskRequest['agent']) => ({
      task: 'hi',
      ...(agent ? { agent } : {}),
    });
    await sut.check(req({ name: 'support' }), actor);
    await sut.check(req({ name: 'support', label: 'production' }), actor);
    await sut.check(req({ name: 'support', version: 2 }), actor);
    await sut.check(req(), actor);
    expect(asked).toEqual([
      [Agents.AgentGet, { agent: 'support' }],
      [Agents.AgentGet, { agent: 'support' }],
      [Agents.AgentGet, { agent: 'support' }],
    ]);
  });

  it('refuses an agent, version or label the tenant lacks with VALIDATION naming the field', async () => {
    const { sut } = setup();
    const check = (agent: Tasks.TaskRequest['agent']) =>
      fieldOf(sut.check({ task: 'hi', agent }, actor));
    expect(await check({ name: 'nobody' })).toEqual(['VALIDATION', 'agent.name']);
    expect(await check({ name: 'support', version: 3 })).toEqual(['VALIDATION', 'agent.version']);
    expect(await check({ name: 'support', label: 'staging' })).toEqual([
      'VALIDATION',
      'agent.label',
    ]);
  });

  it('leaves a replay alone (it runs its record’s version) and passes other errors on', async () => {
    const { sut, asked } = setup();
    await sut.check({ task: 'hi', agent: { name: 'nobody' } }, actor, true);
    expect(asked).toEqual([]);
    const down = new AgentChoiceCheck({
      request: () => Promise.reject(new DomainError('UPSTREAM_UNAVAILABLE', 'down')),
    } as unknown as NatsBus);
    await expect(down.check({ task: 'hi', agent: { name: 'x' } }, actor)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });
});
