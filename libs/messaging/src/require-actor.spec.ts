import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError } from '@switchboard/contracts';
import { requireActor } from './message-meta.js';

describe(requireActor.name, () => {
  it('answers the acting user, and refuses a command without one as UNAUTHORIZED', () => {
    const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
    expect(requireActor(ann)).toBe(ann);
    expect(() => requireActor(undefined)).toThrow(DomainError);
    expect(() => requireActor(undefined)).toThrow(
      expect.objectContaining({
        code: 'UNAUTHORIZED',
        message: 'no acting user on the request (x-sb-user-id header)',
      }),
    );
  });
});
