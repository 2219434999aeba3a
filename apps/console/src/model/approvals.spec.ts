import { describe, expect, it } from '@jest/globals';
import { decidedWords, decisionBody, editorText, expiryWords } from './approvals';

const call = { input: { content: '391', tags: ['a'] } };

describe(decisionBody.name, () => {
  it('approves as asked, or with edited arguments when they differ', () => {
    expect(decisionBody(call, { decision: 'approve' })).toEqual({
      ok: true,
      body: { decision: 'approve' },
    });
    // Opened in the editor and left as it was (keys in another order): no edit.
    expect(
      decisionBody(call, { decision: 'approve', edited: '{"tags":["a"],"content":"391"}' }),
    ).toEqual({ ok: true, body: { decision: 'approve' } });
    expect(decisionBody(call, { decision: 'approve', edited: editorText(call.input) })).toEqual({
      ok: true,
      body: { decision: 'approve' },
    });
    expect(decisionBody(call, { decision: 'approve', edited: '{"content": "400"}' })).toEqual({
      ok: true,
      body: { decision: 'approve', input: { content: '400' } },
    });
  });

  it('names what is wrong with edited arguments instead of sending them', () => {
    const notJson = decisionBody(call, { decision: 'approve', edited: '{content: 1' });
    expect(notJson).toMatchObject({ ok: false, problem: expect.stringContaining('not JSON') });
    for (const edited of ['[1]', 'null', '"x"', '3'])
      expect(decisionBody(call, { decision: 'approve', edited })).toEqual({
        ok: false,
        problem: 'The arguments must be a JSON object ({ … }).',
      });
  });

  it('rejects only with a reason', () => {
    expect(decisionBody(call, { decision: 'reject', reason: '  not today ' })).toEqual({
      ok: true,
      body: { decision: 'reject', reason: 'not today' },
    });
    expect(decisionBody(call, { decision: 'reject', reason: '  ' })).toMatchObject({ ok: false });
    expect(decisionBody(call, { decision: 'reject', reason: 'x'.repeat(1001) })).toMatchObject({
      ok: false,
    });
  });
});

describe(expiryWords.name, () => {
  it('says how long is left, in the largest unit that reads well', () => {
    const now = Date.parse('2026-11-24T10:00:00.000Z');
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(expiryWords(at(30_000), now)).toBe('in 30 s');
    expect(expiryWords(at(5 * 60_000), now)).toBe('in 5 min');
    expect(expiryWords(at(24 * 3_600_000 - 60_000), now)).toBe('in 23 h 59 min');
    expect(expiryWords(at(2 * 3_600_000), now)).toBe('in 2 h');
    expect(expiryWords(at(30 * 24 * 3_600_000), now)).toBe('in 30 days');
    expect(expiryWords(at(-1), now)).toBe('expired');
  });
});

describe(decidedWords.name, () => {
  it('says what the decision did to the task', () => {
    const v = { target: 'notes.add', taskId: '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b' };
    expect(decidedWords({ ...v, status: 'approved' })).toBe(
      'Approved notes.add (task 7f3a2c1e): the task resumes.',
    );
    expect(decidedWords({ ...v, status: 'approved', editedInput: { content: '4' } })).toContain(
      'with your arguments',
    );
    expect(decidedWords({ ...v, status: 'rejected' })).toMatch(/^Rejected notes\.add/);
  });
});
