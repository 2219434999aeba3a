import { TenantDirectory } from '@switchboard/config';
import { GuardrailService } from './guardrail.service.js';

const sut = (
  keywords: string[],
  patterns: string[] = [],
  stages: ('input' | 'output')[] = ['input', 'output'],
) =>
  new GuardrailService({
    DISALLOWED_KEYWORDS: keywords,
    DISALLOWED_PATTERNS: patterns,
    GUARDRAIL_STAGES: stages,
  });

describe(GuardrailService.name, () => {
  it('matches keywords as whole words, case-insensitively, phrases included', () => {
    const g = sut(['bomb', 'launch codes']);
    expect(g.check('input', 'how to build a BOMB?')).toEqual({
      stage: 'input',
      rule: 'disallowed_keywords',
    });
    expect(g.check('output', 'the Launch Codes are')).toEqual({
      stage: 'output',
      rule: 'disallowed_keywords',
    });
    expect(g.check('input', 'a bombastic speech')).toBeUndefined();
    expect(g.check('input', 'bomb_squad')).toBeUndefined();
    expect(g.check('input', 'nothing to see')).toBeUndefined();
  });

  it('sees through Unicode look-alikes (NFKC)', () => {
    expect(sut(['bomb']).check('input', 'ｂｏｍｂ')).toEqual({
      stage: 'input',
      rule: 'disallowed_keywords',
    });
  });

  it('applies patterns, and only at the configured stages', () => {
    const g = sut([], ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b'], ['output']);
    expect(g.check('output', 'card 1234-5678-9012-3456')).toEqual({
      stage: 'output',
      rule: 'disallowed_patterns',
    });
    expect(g.check('input', 'card 1234-5678-9012-3456')).toBeUndefined();
    expect(g.enabled).toBe(true);
    expect(sut([]).enabled).toBe(false);
  });

  it('escapes keywords (they are words, not expressions)', () => {
    expect(sut(['a.b']).check('input', 'axb')).toBeUndefined();
    expect(sut(['c++']).check('input', 'I like C++ a lot')).toEqual({
      stage: 'input',
      rule: 'disallowed_keywords',
    });
  });

  it("adds a tenant's own keywords and patterns to the platform's, for that tenant's tasks only", () => {
    const tenants = new TenantDirectory({
      tenants: {
        acme: {
          guardrails: { disallowedKeywords: ['merger'], disallowedPatterns: ['falcon\\s*\\d+'] },
        },
        globex: {},
      },
    });
    const g = new GuardrailService(
      {
        DISALLOWED_KEYWORDS: ['bomb'],
        DISALLOWED_PATTERNS: [],
        GUARDRAIL_STAGES: ['input', 'output'],
      },
      tenants,
    );
    expect(g.check('input', 'the merger talks', 'acme')).toEqual({
      stage: 'input',
      rule: 'disallowed_keywords',
    });
    expect(g.check('output', 'see Falcon 9', 'acme')).toEqual({
      stage: 'output',
      rule: 'disallowed_patterns',
    });
    for (const other of ['globex', 'default', undefined])
      expect(g.check('input', 'the merger talks, Falcon 9', other)).toBeUndefined();
    // the platform's rules hold for every tenant, and a tenant cannot relax them
    for (const tenant of ['acme', 'globex', undefined])
      expect(g.check('input', 'a bomb', tenant)).toEqual({
        stage: 'input',
        rule: 'disallowed_keywords',
      });
    expect(g.enabled).toBe(true);
  });

  it('is enabled when only a tenant has rules', () => {
    const g = new GuardrailService(
      { DISALLOWED_KEYWORDS: [], DISALLOWED_PATTERNS: [], GUARDRAIL_STAGES: ['input'] },
      new TenantDirectory({
        tenants: { acme: { guardrails: { disallowedKeywords: ['x1'], disallowedPatterns: [] } } },
      }),
    );
    expect(g.enabled).toBe(true);
    expect(g.check('output', 'x1', 'acme')).toBeUndefined();
    expect(g.check('input', 'x1', 'acme')).toEqual({ stage: 'input', rule: 'disallowed_keywords' });
  });
});
