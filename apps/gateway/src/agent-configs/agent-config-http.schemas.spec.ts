import { describe, expect, it } from '@jest/globals';
import { agentLabelOf } from './agent-config-http.schemas.js';

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
