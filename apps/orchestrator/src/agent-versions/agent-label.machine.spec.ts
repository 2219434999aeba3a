import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { AGENT_LABEL, labelMove } from './agent-label.machine.js';

describe('AGENT_LABEL', () => {
  it('is set once, then moves forward, back and stays', () => {
    expect(AGENT_LABEL.walk('set', 'promoted', 'rolled-back', 'kept').state).toBe('pointing');
  });

  it('takes no move before it is set, and is never set twice', () => {
    expect(AGENT_LABEL.target('unset', 'promoted')).toBeUndefined();
    expect(AGENT_LABEL.target('unset', 'rolled-back')).toBeUndefined();
    expect(() => AGENT_LABEL.next('pointing', 'set')).toThrow(IllegalTransition);
  });

  it('names a move by the versions it leaves and takes: newer promotes, older rolls back', () => {
    expect(labelMove(undefined, 3)).toBe('set');
    expect(labelMove(1, 2)).toBe('promoted');
    expect(labelMove(2, 1)).toBe('rolled-back');
    expect(labelMove(2, 2)).toBe('kept');
  });
});
