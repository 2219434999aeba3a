import { describe, expect, it } from '@jest/globals';
import {
  CONTENT_MAX,
  contentEdit,
  itemForgottenWords,
  matchedWords,
  namespaceOf,
  namespaceWords,
  scoreWords,
  userForgottenWords,
  userToForget,
} from './memory';

describe(namespaceOf.name, () => {
  it("defaults a user namespace to the signed-in user's own", () => {
    expect(namespaceOf('user', '  ', 'ada')).toEqual({
      ok: true,
      namespace: { kind: 'user', key: 'ada' },
    });
    expect(namespaceOf('user', 'bob', 'ada')).toEqual({
      ok: true,
      namespace: { kind: 'user', key: 'bob' },
    });
  });

  it('needs a key for a thread, an agent or the tenant, and checks it as the contract does', () => {
    expect(namespaceOf('thread', '', 'ada')).toEqual({
      ok: false,
      problem: 'Give the thread id to list.',
    });
    expect(namespaceOf('tenant', ' handbook ', 'ada')).toEqual({
      ok: true,
      namespace: { kind: 'tenant', key: 'handbook' },
    });
    expect(namespaceOf('agent', 'bad key', 'ada')).toEqual({
      ok: false,
      problem: 'Agent name may hold letters, digits and _ . : @ - only (at most 200).',
    });
  });
});

describe('words', () => {
  it('names a namespace, how an item matched and its score', () => {
    expect(namespaceWords({ kind: 'user', key: 'ada' })).toBe('user:ada');
    expect(matchedWords('meaning')).toBe('by meaning');
    expect(matchedWords('words')).toBe('by words');
    expect(matchedWords(undefined)).toBe('matched');
    expect(scoreWords(0.6712)).toBe('0.67');
    expect(scoreWords(0.0607927)).toBe('0.06');
    expect(scoreWords(0.00123)).toBe('0.0012');
    expect(scoreWords(0)).toBe('0.00');
  });

  it("says what forgetting an item did, the run records' recalls included", () => {
    expect(itemForgottenWords({ id: 'i', deleted: true, recalls: 2 })).toBe(
      "Forgotten; 2 recorded recalls in tasks' run records emptied.",
    );
    expect(itemForgottenWords({ id: 'i', deleted: false, recalls: 1 })).toBe(
      "Nothing was deleted from the store (already gone, or not yours to forget); 1 recorded recall in tasks' run records emptied.",
    );
  });

  it('says what "Forget me" did, and whether it was verified', () => {
    expect(userForgottenWords({ userId: 'ada', deleted: 1, verified: true, recalls: 0 })).toBe(
      "Forgot 1 item of ada; 0 recorded recalls in tasks' run records emptied. Verified: nothing of it remains.",
    );
    expect(
      userForgottenWords({ userId: 'ada', deleted: 3, verified: false, recalls: 5 }),
    ).toContain('Not verified');
  });
});

describe(contentEdit.name, () => {
  it('asks for the trimmed new content, and for nothing when it did not change', () => {
    expect(contentEdit('my number is 7', '  my number is 9\n')).toEqual({
      ok: true,
      change: { content: 'my number is 9' },
    });
    expect(contentEdit('my number is 7', 'my number is 7 ')).toEqual({
      ok: true,
      change: undefined,
    });
  });

  it('names the field when the content is empty or too long', () => {
    expect(contentEdit('x', '   ')).toEqual({
      ok: false,
      problem: 'Content: write something (or Forget the item).',
    });
    expect(contentEdit('x', 'y'.repeat(CONTENT_MAX + 1))).toEqual({
      ok: false,
      problem: 'Content: at most 4,000 characters (4,001 now).',
    });
  });
});

describe(userToForget.name, () => {
  it('takes a user id as the contract does, naming the field otherwise', () => {
    expect(userToForget(' bob@acme ')).toEqual({ ok: true, userId: 'bob@acme' });
    expect(userToForget('')).toEqual({ ok: false, problem: 'User id: give the user to forget.' });
    expect(userToForget('bob smith')).toEqual({
      ok: false,
      problem: 'User id: letters, digits and . _ @ : + - only (at most 128).',
    });
  });
});
