import { describe, expect, it } from '@jest/globals';
import { FORGOTTEN_MARK, ofUser, type RecordedRecall, redactRound } from './recalled-redaction.js';

const item = (
  id: string,
  content: string,
  namespace: RecordedRecall['namespace'],
  writer = 'ann',
): RecordedRecall => ({
  id,
  namespace,
  content,
  metadata: { source: 'chat' },
  writtenBy: { userId: writer, taskId: null },
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:00:00.000Z',
  score: 1,
});

const ID = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const seven = item(ID(1), 'my favourite number is 7', { kind: 'user', key: 'ann' });
const threadOfAnn = item(ID(2), 'we agreed on blue', { kind: 'thread', key: 't1' });
const tenantWide = item(ID(3), 'the office is in Berlin', { kind: 'tenant', key: 'acme' }, 'bob');
const bobs = item(ID(4), 'my favourite number is 3', { kind: 'user', key: 'bob' }, 'bob');

describe(redactRound.name, () => {
  const round = {
    context: { agents: [], recalled: [seven, threadOfAnn, tenantWide, bobs] },
    request: {
      messages: [
        { role: 'system', content: 'instructions' },
        {
          role: 'system',
          content: `recalled:\n- ${JSON.stringify(seven.content)}\n- ${JSON.stringify(tenantWide.content)}`,
        },
        { role: 'user', content: 'what is my favourite number times 6' },
      ],
    },
  };

  it("empties a user's items (their namespace, the thread items they wrote) and nothing else", () => {
    const out = redactRound(round, ofUser('ann'));
    expect(out?.forgotten).toBe(2);
    const recalled = out?.context.recalled ?? [];
    expect(recalled.map((r) => [r.id, r.content, r.forgotten])).toEqual([
      [ID(1), '', true],
      [ID(2), '', true],
      [ID(3), 'the office is in Berlin', undefined],
      [ID(4), 'my favourite number is 3', undefined],
    ]);
    // what says something was recalled and forgotten stays; what it said goes
    expect(recalled[0]).toMatchObject({ namespace: { kind: 'user', key: 'ann' }, metadata: {} });
    expect(out?.context.agents).toEqual([]);
  });

  it('replaces every quotation of a forgotten item in the LLM request', () => {
    const out = redactRound(round, ofUser('ann'));
    const text = JSON.stringify(out?.request);
    expect(text).not.toContain('favourite number is 7');
    expect(text).toContain(FORGOTTEN_MARK);
    expect(text).toContain('the office is in Berlin');
    expect(text).toContain('what is my favourite number times 6');
  });

  it('changes nothing when nothing it names was recalled, or it was forgotten already', () => {
    expect(redactRound(round, ofUser('carol'))).toBeUndefined();
    const once = redactRound(round, ofUser('ann'));
    expect(redactRound({ context: once!.context, request: once!.request }, ofUser('ann'))).toBe(
      undefined,
    );
    expect(redactRound({ context: { agents: [] }, request: null }, () => true)).toBeUndefined();
  });
});
