import { researchSkill } from './researcher.skill.js';
import { draftSkill } from './writer.skill.js';

describe('sample agent skills (deterministic)', () => {
  it('researches a known topic, preferring the specific entry', () => {
    const out = researchSkill.run({ text: 'NATS JetStream', context: undefined });
    expect(out.text.startsWith('## NATS JetStream')).toBe(true);
    expect(out.text).toContain('Nats-Msg-Id');
    expect(out.text).not.toContain('queue groups');
    expect(out.steps).toEqual(['searching the library for "NATS JetStream"', 'reading 1 source']);
    expect(researchSkill.run({ text: 'NATS JetStream', context: undefined })).toEqual(out);
  });

  it('says plainly when it knows nothing about a topic', () => {
    const out = researchSkill.run({ text: 'quantum gravity?', context: undefined });
    expect(out.text).toContain(
      'No source in the researcher\'s offline library covers "quantum gravity"',
    );
    expect(out.summary).toBe('No findings about "quantum gravity".');
  });

  it('drafts a summary from the material it was given', () => {
    const material = researchSkill.run({ text: 'NATS JetStream', context: undefined }).text;
    const out = draftSkill.run({ text: 'draft a summary', context: material });
    expect(out.text.split('\n')[0]).toBe('# Summary: NATS JetStream');
    expect(out.text).toContain('JetStream is the persistence layer');
    expect(out.text).not.toContain('Sources:');
    expect(out.summary).toMatch(/^Drafted a \d+-word summary\.$/);
  });

  it('drafts without material by restating the request', () => {
    expect(draftSkill.run({ text: 'write a brief on onboarding', context: undefined }).text).toBe(
      '# Brief: onboarding\n\nNo material was provided, so this brief only restates the request: write a brief on onboarding.',
    );
  });
});
