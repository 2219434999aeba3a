import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { SCHEDULE } from './schedule.machine.js';

describe('SCHEDULE', () => {
  it('fires while active, pauses and resumes, and ends as done after its last firing', () => {
    expect(SCHEDULE.walk('fired', 'paused', 'resumed', 'fired').state).toBe('active');
    expect(SCHEDULE.walk('last-fired').state).toBe('done');
  });

  it('never fires while paused, and nothing leaves done', () => {
    expect(SCHEDULE.target('paused', 'fired')).toBeUndefined();
    expect(SCHEDULE.target('done', 'resumed')).toBeUndefined();
    expect(SCHEDULE.target('done', 'paused')).toBeUndefined();
    expect(() => SCHEDULE.next('active', 'resumed')).toThrow(IllegalTransition);
    expect(SCHEDULE.isFinal('done')).toBe(true);
  });
});
