import type { Actor, Tasks, Tools } from '@switchboard/contracts';
import { decideAccess } from './tool-access.policy.js';

const tool = (over: Partial<Tools.ToolDefinition>): Tools.ToolDefinition => ({
  name: 'x',
  title: 'x',
  description: 'x',
  provider: 'open',
  inputSchema: { type: 'object' },
  handler: { kind: 'builtin', ref: 'x' },
  requiredCredentials: [],
  adminOnly: false,
  timeoutMs: 1_000,
  idempotent: true,
  ...over,
});

const user: Actor = { userId: 'u', role: 'user' };
const analyst: Actor = { userId: 'a', role: 'analyst' };
const admin: Actor = { userId: 'r', role: 'admin' };

const plain = tool({ name: 'plain' });
const roleTool = tool({ name: 'role', requiredRole: 'analyst' });
const adminTool = tool({ name: 'admin', adminOnly: true });
const partnerTool = tool({ name: 'partner', provider: 'partner' });
const providers: Record<string, { name: string; requiresAuthorization: boolean }> = {
  open: { name: 'open', requiresAuthorization: false },
  partner: { name: 'partner', requiresAuthorization: true },
};

const allowed = (
  t: Tools.ToolDefinition,
  actor: Actor,
  constraints?: Tasks.ToolConstraints,
  granted: string[] = [],
) =>
  decideAccess({
    tool: t,
    provider: providers[t.provider],
    actor,
    constraints,
    authorizedProviders: new Set(granted),
  }).allowed;

describe('the access policy', () => {
  it.each([
    ['plain, user', plain, user, true],
    ['required role, user', roleTool, user, false],
    ['required role, that role', roleTool, analyst, true],
    ['required role, admin (bypass)', roleTool, admin, true],
    ['admin-only, user', adminTool, user, false],
    ['admin-only, analyst', adminTool, analyst, false],
    ['admin-only, admin', adminTool, admin, true],
    ['provider needing authorization, not granted', partnerTool, user, false],
    ['provider needing authorization, admin not granted', partnerTool, admin, false],
  ])('auto: %s → %s', (_, t, actor, expected) => {
    expect(allowed(t, actor)).toBe(expected);
  });

  it('offers an authorized provider in auto mode', () => {
    expect(allowed(partnerTool, user, undefined, ['partner'])).toBe(true);
  });

  it('custom constraints narrow and never widen', () => {
    const onlyOpen: Tasks.ToolConstraints = { mode: 'custom', providers: ['open'] };
    expect(allowed(plain, user, onlyOpen)).toBe(true);
    expect(allowed(partnerTool, user, onlyOpen, ['partner'])).toBe(false);
    const byTool: Tasks.ToolConstraints = { mode: 'custom', tools: ['partner', 'admin'] };
    expect(allowed(partnerTool, user, byTool, ['partner'])).toBe(true);
    expect(allowed(partnerTool, user, byTool)).toBe(false);
    expect(allowed(adminTool, user, byTool)).toBe(false);
    expect(allowed(adminTool, admin, byTool)).toBe(true);
    expect(allowed(plain, admin, byTool)).toBe(false);
  });

  it("refuses a tool its tenant's settings do not enable, to everyone in the tenant, admins too", () => {
    const off = { id: 'acme', allows: false };
    for (const actor of [user, analyst, admin]) {
      expect(
        decideAccess({
          tool: plain,
          provider: providers['open'],
          actor,
          constraints: undefined,
          authorizedProviders: new Set(),
          tenant: off,
        }),
      ).toEqual({ allowed: false, reason: 'tool plain is not enabled for tenant acme' });
    }
    expect(
      decideAccess({
        tool: plain,
        provider: providers['open'],
        actor: user,
        constraints: undefined,
        authorizedProviders: new Set(),
        tenant: { id: 'acme', allows: true },
      }),
    ).toEqual({ allowed: true });
  });
});
