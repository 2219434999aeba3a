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
});
