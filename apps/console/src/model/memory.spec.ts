import { describe, expect, it } from '@jest/globals';
import {
  itemForgottenWords,
  matchedWords,
  namespaceOf,
  namespaceWords,
  scoreWords,
  userForgottenWords,
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
