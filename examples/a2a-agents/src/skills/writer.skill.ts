import type { Skill, SkillInput, SkillOutput } from './skill.js';

/** Drafts a short document from the request and the material it was given, deterministically. */
export const draftSkill: Skill = {
  id: 'draft',
  name: 'Draft a document',
  description:
    'Drafts a short document (summary, note, brief) from the request and the material passed as context.',
  tags: ['writing', 'summary'],
  examples: ['draft a summary', 'write a brief about the findings'],
  run(input: SkillInput): SkillOutput {
    const request = input.text.trim().replace(/[?.!]+$/, '');
    const kind =
      /\b(summary|brief|note|report|memo|overview)\b/i.exec(request)?.[1]?.toLowerCase() ??
      'document';
    const material = (input.context ?? '').trim();
    const title = heading(material) ?? /\b(?:on|about|of)\s+(.+)$/i.exec(request)?.[1] ?? 'Draft';
    const sentences = material
      .replace(/^#+\s.*$/gm, '')
      .replace(/^Sources:.*$/gm, '')
      .split(/\n+|(?<=[.!?])\s+/)
      .map((s) => s.replace(/^[-*]\s+/, '').trim())
      .filter((s) => s.length > 0);
    const body =
      sentences.length === 0
        ? [`No material was provided, so this ${kind} only restates the request: ${request}.`]
        : [
            shorten(sentences[0] as string),
            '',
            ...sentences.slice(1, 4).map((s) => `- ${shorten(s)}`),
          ];
    const words = body.join(' ').split(/\s+/).filter(Boolean).length;
    return {
      steps: ['outlining', `drafting the ${kind}`],
      artifactName: 'draft',
      text: [`# ${capitalise(kind)}: ${title}`, '', ...body].join('\n'),
      summary: `Drafted a ${words}-word ${kind}.`,
    };
  },
};

function heading(markdown: string): string | undefined {
  return /^#+\s+(.+)$/m.exec(markdown)?.[1]?.trim();
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function shorten(s: string, max = 220): string {
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}
