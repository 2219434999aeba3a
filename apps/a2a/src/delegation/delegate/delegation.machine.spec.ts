import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { DELEGATION, type DelegationPhase, type DelegationTrigger } from './delegation.machine.js';

const walk = DELEGATION.walk.bind(DELEGATION);

describe('the delegation machine', () => {
  it('sends, follows the task the agent names, and is answered', () => {
    expect(walk('send', 'remote-task', 'answered').history).toEqual([
      'requested',
      'sending',
      'following',
      'answered',
    ]);
  });

  it('after a transient failure, sends again while no task is known, and follows one that is', () => {
    expect(walk('send', 'retry', 'send', 'answered').history).toEqual([
      'requested',
      'sending',
      'waiting',
      'sending',
      'answered',
    ]);
    expect(walk('send', 'remote-task', 'retry', 'follow', 'answered').history.at(-2)).toBe(
      'following',
    );
  });

  it('takes over a task a lost replica started: follows it from the first attempt', () => {
    expect(walk('follow', 'answered').history).toEqual(['requested', 'following', 'answered']);
  });

  it('is denied before anything is sent', () => {
    const d = walk('denied');
    expect(d.isFinal).toBe(true);
    expect(DELEGATION.target('sending', 'denied')).toBeUndefined();
  });

  it.each<[DelegationPhase, DelegationTrigger[]]>([
    ['requested', []],
    ['sending', ['send']],
    ['following', ['send', 'remote-task']],
    ['waiting', ['send', 'retry']],
  ])('fails or is cancelled from %s', (phase, before) => {
    expect(walk(...before).state).toBe(phase);
    expect(walk(...before, 'failed').state).toBe('failed');
    expect(walk(...before, 'cancelled', 'cancel-forwarded').history.slice(-2)).toEqual([
      'cancelling',
      'cancelled',
    ]);
  });

  it('never sends again once the agent’s task is known, and ends only once', () => {
    expect(DELEGATION.target('following', 'send')).toBeUndefined();
    expect(DELEGATION.target('following', 'remote-task')).toBeUndefined();
    for (const final of ['answered', 'failed', 'cancelled', 'denied'] as const)
      expect(DELEGATION.isFinal(final)).toBe(true);
    expect(() => walk('send', 'answered', 'failed')).toThrow(IllegalTransition);
    expect(() => walk('answered')).toThrow(/"answered" is not allowed in state "requested"/);
  });
});
