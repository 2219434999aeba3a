import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { type FeedPhase, type FeedTrigger, TASK_FEED } from './task-feed.machine.js';

const walk = (...triggers: Parameters<typeof TASK_FEED.walk>) => [
  ...TASK_FEED.walk(...triggers).history,
];

describe('the task event feed machine', () => {
  it('follows a task to its own terminal event', () => {
    expect(walk('terminal-delivered')).toEqual(['following', 'ended']);
  });

  it('looks at a silent task and keeps following while it runs', () => {
    expect(walk('stalled', 'running', 'stalled', 'events-came', 'terminal-delivered')).toEqual([
      'following',
      'checking',
      'following',
      'checking',
      'following',
      'ended',
    ]);
  });

  it('gives an ended task’s missing events a grace, then ends with a stand-in', () => {
    expect(walk('stalled', 'ended-unheard', 'grace-over', 'gave-up', 'drained')).toEqual([
      'following',
      'checking',
      'grace',
      'checking',
      'ending',
      'ended',
    ]);
  });

  it('delivers the real terminal event when it comes during the grace or while ending', () => {
    expect(walk('stalled', 'ended-unheard', 'terminal-delivered').at(-1)).toBe('ended');
    expect(
      walk('stalled', 'ended-unheard', 'grace-over', 'gave-up', 'terminal-delivered').at(-1),
    ).toBe('ended');
  });

  it.each<[FeedPhase, FeedTrigger[]]>([
    ['following', []],
    ['checking', ['stalled']],
    ['grace', ['stalled', 'ended-unheard']],
  ])('ends from %s when the reader already has the terminal event', (phase, before) => {
    const feed = TASK_FEED.start();
    for (const t of before) feed.fire(t);
    expect(feed.state).toBe(phase);
    expect(feed.fire('end-known')).toBe('ending');
    expect(feed.fire('drained')).toBe('ended');
  });

  it.each<FeedPhase>(['following', 'checking', 'grace', 'ending'])(
    'can be closed from %s',
    (phase) => {
      expect(TASK_FEED.target(phase, 'closed')).toBe('closed');
    },
  );

  it('takes nothing once ended or closed', () => {
    const triggers: FeedTrigger[] = [
      'stalled',
      'running',
      'events-came',
      'ended-unheard',
      'grace-over',
      'gave-up',
      'end-known',
      'terminal-delivered',
      'drained',
      'closed',
    ];
    for (const phase of ['ended', 'closed'] as const)
      for (const t of triggers) expect(TASK_FEED.target(phase, t)).toBeUndefined();
  });

  it('refuses what a phase does not take, naming both', () => {
    const feed = TASK_FEED.start();
    expect(() => feed.fire('gave-up')).toThrow(IllegalTransition);
    expect(() => feed.fire('drained')).toThrow(/"drained" is not allowed in state "following"/);
    expect(TASK_FEED.target('grace', 'stalled')).toBeUndefined(); // one look at a time
    expect(TASK_FEED.target('checking', 'stalled')).toBeUndefined();
  });
});
