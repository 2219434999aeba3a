import { describe, expect, it } from '@jest/globals';
import {
  type AgentView,
  canaryOf,
  changeValue,
  type LabelForm,
  labelMove,
  labelsOf,
  splitWords,
  toolsWords,
} from './agents';

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

describe(canaryOf.name, () => {
  const production = {
    label: 'production',
    versionId: '6f1c2a52-1d0e-4c8f-9a43-0f6f7c1b2d3e',
    version: 1,
    movedBy: 'root',
    movedAt: '2026-11-28T03:00:00.000Z',
  };
  it('splits a label with another version by a percentage', () => {
    expect(canaryOf({ label: ' production ', version: '2', weight: '10' }, production)).toEqual({
      ok: true,
      label: 'production',
      canary: { version: 2, weight: 10 },
    });
  });

  it('says what to fix', () => {
    const error = (f: LabelForm, l = production) => {
      const r = canaryOf(f, l);
      return r.ok ? 'ok' : r.error.split(':')[0];
    };
    expect(error({ label: 'Prod', version: '2', weight: '10' })).toBe('Label');
    expect(error({ label: 'production', version: '', weight: '10' })).toBe('Version');
    expect(error({ label: 'production', version: '1', weight: '10' })).toBe('Version');
    for (const weight of ['0', '100', '2.5', ''])
      expect(error({ label: 'production', version: '2', weight })).toBe('Weight');
    expect(canaryOf({ label: 'staging', version: '2', weight: '5' }, undefined)).toEqual({
      ok: false,
      error: 'Label: staging points at no version yet',
    });
  });

  it('moves a label to any version', () => {
    expect(labelMove({ label: 'staging', version: '3', weight: '' })).toEqual({
      ok: true,
      label: 'staging',
      version: 3,
    });
  });
});
