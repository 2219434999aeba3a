import { jest } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { A2aAgentDirectory } from './a2a-agent-directory.js';

describe(A2aAgentDirectory.name, () => {
  it('caches lists per tenant: the same user id and role in two tenants are asked for apart', async () => {
    const asked: (string | undefined)[] = [];
    const bus = {
      request: async (_c: unknown, _r: unknown, opts: { actor: Actor }) => {
        asked.push(opts.actor.tenantId);
        const name = `agent-of-${opts.actor.tenantId ?? 'default'}`;
        return { agents: [{ name, description: 'd' }] };
      },
    } as unknown as NatsBus;
    const sut = new A2aAgentDirectory(bus, { warn: jest.fn() } as unknown as Logger);
    const ann = (tenantId: string) => ({ userId: 'ann', role: 'user', tenantId });
    expect((await sut.list(ann('acme'))).agents[0]?.name).toBe('agent-of-acme');
    expect((await sut.list(ann('globex'))).agents[0]?.name).toBe('agent-of-globex');
    expect((await sut.list(ann('acme'))).agents[0]?.name).toBe('agent-of-acme');
    expect(asked).toEqual(['acme', 'globex']);
  });
});
