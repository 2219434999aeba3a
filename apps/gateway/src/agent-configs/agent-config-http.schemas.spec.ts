import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import { agentLabelOf, labelledBody } from './agent-config-http.schemas.js';

describe(agentLabelOf.name, () => {
  it('answers the agent and the label a path names', () => {
    expect(agentLabelOf('support', 'production')).toEqual({
      agent: 'support',
      label: 'production',
    });
  });

  it('refuses a bad agent name before a bad label, naming what was wrong', () => {
    expect(() => agentLabelOf('', '')).toThrow(/agent name/);
    expect(() => agentLabelOf('support', '')).toThrow(/label/);
  });
});

describe('labelledBody', () => {
  it("is a label route's body for the label its path names, the path winning a clash", () => {
    const params = { name: 'support', label: 'production' };
    const actor = { userId: 'alice', tenantId: 'default', role: 'user' } as Actor;
    expect(labelledBody({ actor, params, body: { version: 3 }, query: undefined })).toEqual({
      version: 3,
      agent: 'support',
      label: 'production',
    });
    expect(labelledBody({ actor, params, body: { label: 'x' }, query: undefined })).toEqual({
      agent: 'support',
      label: 'production',
    });
    expect(() =>
      labelledBody({ actor, params: { name: 'support' }, body: {}, query: undefined }),
    ).toThrow(/label/);
  });
});
