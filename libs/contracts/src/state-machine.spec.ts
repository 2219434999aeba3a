import { describe, expect, it } from '@jest/globals';
import { IllegalTransition, StateMachine } from './state-machine.js';

type S = 'idle' | 'busy' | 'done';
type E = 'start' | 'finish' | 'reset';
const machine = new StateMachine<S, E>({
  name: 'job',
  initial: 'idle',
  final: ['done'],
  transitions: [
    { from: 'idle', on: 'start', to: 'busy' },
    { from: ['idle', 'busy'], on: 'finish', to: 'done', note: 'finishing early is allowed' },
    { from: 'busy', on: 'reset', to: 'idle' },
  ],
});

describe(StateMachine.name, () => {
  it('moves along its table and remembers the states it went through', () => {
    const sut = machine.start();
    expect(sut.fire('start')).toBe('busy');
    expect(sut.fire('reset')).toBe('idle');
    expect(sut.fire('finish')).toBe('done');
    expect(sut.history).toEqual(['idle', 'busy', 'idle', 'done']);
    expect(sut.isFinal).toBe(true);
  });

  it('walks a sequence of events from the start (what transition tests read)', () => {
    expect(machine.walk('start', 'reset', 'finish').history).toEqual([
      'idle',
      'busy',
      'idle',
      'done',
    ]);
    expect(machine.walk().state).toBe('idle');
    expect(() => machine.walk('finish', 'start')).toThrow(
      'job: "start" is not allowed in state "done"',
    );
  });

  it('refuses an event its state does not take, naming both, and stays where it was', () => {
    const sut = machine.start('busy');
    expect(sut.can('start')).toBe(false);
    expect(() => sut.fire('start')).toThrow(IllegalTransition);
    expect(() => sut.fire('start')).toThrow('job: "start" is not allowed in state "busy"');
    expect(sut.state).toBe('busy');
  });

  it('rejects a definition that leaves a final state or defines a move twice', () => {
    expect(
      () =>
        new StateMachine<S, E>({
          name: 'bad',
          initial: 'idle',
          final: ['done'],
          transitions: [{ from: 'done', on: 'reset', to: 'idle' }],
        }),
    ).toThrow('final state "done"');
    expect(
      () =>
        new StateMachine<S, E>({
          name: 'bad',
          initial: 'idle',
          final: ['done'],
          transitions: [
            { from: 'idle', on: 'start', to: 'busy' },
            { from: ['busy', 'idle'], on: 'start', to: 'done' },
          ],
        }),
    ).toThrow('"start" from "idle" is defined twice');
  });

  it('prints its table as Markdown', () => {
    expect(machine.markdown()).toContain(
      '| idle, busy | `finish` | done | finishing early is allowed |',
    );
  });
});
