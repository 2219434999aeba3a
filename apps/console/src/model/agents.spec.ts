import { describe, expect, it } from '@jest/globals';
import { type AgentView, changeValue, labelsOf, splitWords, toolsWords } from './agents';

const label = (over: Partial<AgentView['labels'][number]> = {}): AgentView['labels'][number] => ({
  label: 'production',
  versionId: '0c4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  version: 1,
  movedBy: 'ann',
  movedAt: '2026-11-27T10:00:00.000Z',
  ...over,
});
const canary = { versionId: '1c4d2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b', version: 2, weight: 10 };

describe('agent versions in the console', () => {
  it("says where a label sends its tasks, with a canary's split", () => {
    expect(splitWords(label())).toBe('production → v1');
    expect(splitWords(label({ canary }))).toBe(
      'production → v1 90% · v2 10% (canary, sticky per thread)',
    );
  });

  it('lists the labels on each version, canaries marked', () => {
    const agent: AgentView = {
      agent: 'support',
      tenantId: 'acme',
      latestVersion: 3,
      labels: [label({ canary }), label({ label: 'staging', version: 2 })],
      createdAt: '2026-11-27T10:00:00.000Z',
    };
    expect([1, 2, 3].map((v) => labelsOf(agent, v))).toEqual([
      ['production'],
      ['production (canary 10%)', 'staging'],
      [],
    ]);
  });

  it("shows a change's values and a version's tools in words", () => {
    expect([changeValue(undefined), changeValue('Be brief.'), changeValue(['a', 'b'])]).toEqual([
      '(absent)',
      'Be brief.',
      '["a","b"]',
    ]);
    const config = { instructions: '', model: { name: 'm' }, limits: {} };
    expect(toolsWords(config)).toBe('every tool the task may use');
    expect(toolsWords({ ...config, tools: [] })).toBe('no tools');
    expect(toolsWords({ ...config, tools: ['calculator', 'notes.*'] })).toBe('calculator, notes.*');
  });
});
