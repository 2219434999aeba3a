import { describe, expect, it } from '@jest/globals';
import { liveStatusOf, refusalAdvice, refusalLines } from './live-status';

const refusal = 'Permissions Violation for Subscription to "sb.dlq.>"';

describe(liveStatusOf.name, () => {
  it("reads the ready event's identity, patterns watched and refusals", () => {
    const data = {
      filter: {},
      commands: true,
      identity: 'gateway',
      watching: ['sb.evt.>'],
      refused: [{ pattern: 'sb.dlq.>', reason: refusal }],
    };
    expect(liveStatusOf(data)).toEqual({
      identity: 'gateway',
      watching: ['sb.evt.>'],
      refused: [{ pattern: 'sb.dlq.>', reason: refusal }],
    });
  });

  it('is undefined for data that is not a status (an older gateway, a broken frame)', () => {
    expect(liveStatusOf({})).toBeUndefined();
    expect(liveStatusOf('not a status')).toBeUndefined();
    expect(liveStatusOf(null)).toBeUndefined();
  });
});

describe(refusalLines.name, () => {
  it('says what is not visible and why, in short when the server only repeats the pattern', () => {
    const refused = [
      { pattern: 'sb.dlq.>', reason: refusal },
      { pattern: 'sb.cmd.>', reason: 'cannot connect to NATS as the live identity: timeout' },
    ];
    expect(refusalLines({ identity: 'gateway', watching: [], refused })).toEqual([
      'Not visible: sb.dlq.> — NATS refused it (permissions violation)',
      'Not visible: sb.cmd.> — NATS refused it (cannot connect to NATS as the live identity: timeout)',
    ]);
  });
});

describe(refusalAdvice.name, () => {
  it('says what to do about it, for the identity the traffic is read as', () => {
    expect(refusalAdvice('gateway')).toBe(
      'give the gateway the live identity, docs/operations.md#nats-identities',
    );
    expect(refusalAdvice('live')).toContain("apply the platform's nats-identities.conf");
  });
});
