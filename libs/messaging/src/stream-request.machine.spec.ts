import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { STREAM_REQUEST } from './stream-request.machine.js';

describe('the streamed request machine', () => {
  it('is sent, streams its parts and ends', () => {
    expect(STREAM_REQUEST.walk('sent', 'part', 'part', 'end').history).toEqual([
      'connecting',
      'awaiting',
      'streaming',
      'streaming',
      'ended',
    ]);
  });

  it('is refused or abandoned before or after its first part', () => {
    for (const open of ['awaiting', 'streaming'] as const) {
      expect(STREAM_REQUEST.target(open, 'refused')).toBe('refused');
      expect(STREAM_REQUEST.target(open, 'abandoned')).toBe('abandoned');
    }
  });

  it('is never abandoned (no cancel) before it was sent, and ends once', () => {
    expect(STREAM_REQUEST.target('connecting', 'abandoned')).toBeUndefined();
    expect(STREAM_REQUEST.start().fire('unsent')).toBe('unsent');
    for (const final of ['ended', 'refused', 'abandoned', 'unsent'] as const)
      expect(STREAM_REQUEST.isFinal(final)).toBe(true);
    expect(() => STREAM_REQUEST.walk('sent', 'end', 'abandoned')).toThrow(IllegalTransition);
  });
});
