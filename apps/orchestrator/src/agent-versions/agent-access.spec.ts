import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import { auditAgentChange, requireAuthor } from './agent-access.js';
import { auditSpy } from './agent.fakes.js';

const admin: Actor = { userId: 'ada', role: 'admin', tenantId: 'acme' };

describe(auditAgentChange.name, () => {
  it("records a successful admin change in the actor's tenant, naming who made it", () => {
    const { audit, records } = auditSpy();
    auditAgentChange(audit, admin, {
      action: 'agent.label.move',
      resource: 'agent:support',
      details: { label: 'production', to: 2 },
    });
    expect(records).toEqual([
      {
        category: 'admin',
        action: 'agent.label.move',
        outcome: 'success',
        resource: 'agent:support',
        tenantId: 'acme',
        actor: { userId: 'ada', role: 'admin' },
        details: { label: 'production', to: 2 },
      },
    ]);
  });

  it('records it in the tenant it was made in when that is said', () => {
    const { audit, records } = auditSpy();
    auditAgentChange(audit, admin, {
      action: 'agent.version.create',
      resource: 'agent:support',
      tenantId: 'globex',
      details: { version: 3 },
    });
    expect(records[0]).toMatchObject({ tenantId: 'globex', actor: { userId: 'ada' } });
  });
});

describe(requireAuthor.name, () => {
  it("refuses a member: changing the tenant's agents is its admins'", () => {
    expect(() => requireAuthor({ ...admin, role: 'member' })).toThrow(/only an admin/);
    expect(() => requireAuthor(admin)).not.toThrow();
  });
});
