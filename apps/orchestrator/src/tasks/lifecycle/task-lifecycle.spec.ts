import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import {
  TASK_LIFECYCLE,
  type TaskPhase,
  type TaskTrigger,
  storedTrigger,
} from './task-lifecycle.js';

const walk = TASK_LIFECYCLE.walk.bind(TASK_LIFECYCLE);

describe('the task lifecycle', () => {
  it('walks the demo task: two steps in one round, then an answer', () => {
    const task = walk(
      'claimed',
      'toolbox-ready',
      'actions-decided',
      'steps-done',
      'answered',
      'stored-completed',
    );
    expect(task.history).toEqual([
      'received',
      'starting',
      'planning',
      'dispatching',
      'planning',
      'finishing',
      'completed',
    ]);
    expect(task.isFinal).toBe(true);
  });

  it('pauses for an approval: stored as waiting, a final state for this replica', () => {
    const task = walk(
      'claimed',
      'toolbox-ready',
      'actions-decided',
      'approval-needed',
      'stored-waiting',
    );
    expect(task.history.slice(-3)).toEqual(['dispatching', 'pausing', 'waiting_approval']);
    expect(task.isFinal).toBe(true);
    expect(() => task.fire('claimed')).toThrow(IllegalTransition);
  });

  it('waits for its thread: a final state for this replica, taken only before the claim', () => {
    const task = walk('queued-behind-thread');
    expect(task.history).toEqual(['received', 'waiting_thread']);
    expect(task.isFinal).toBe(true);
    expect(() => task.fire('claimed')).toThrow(IllegalTransition);
    expect(() => walk('claimed', 'queued-behind-thread')).toThrow(IllegalTransition);
    expect(() => walk('claimed', 'toolbox-ready', 'queued-behind-thread')).toThrow(
      IllegalTransition,
    );
  });

  it('cannot pause for an approval except while dispatching', () => {
    expect(() => walk('claimed', 'toolbox-ready', 'approval-needed')).toThrow(IllegalTransition);
    expect(() => walk('claimed', 'approval-needed')).toThrow(IllegalTransition);
  });

  it.each<[TaskPhase, TaskTrigger[]]>([
    ['received', []],
    ['starting', ['claimed']],
    ['planning', ['claimed', 'toolbox-ready']],
    ['dispatching', ['claimed', 'toolbox-ready', 'actions-decided']],
  ])('fails or is cancelled from %s, and ends through finishing', (phase, before) => {
    for (const [end, stored, final] of [
      ['failed', 'stored-failed', 'failed'],
      ['cancelled', 'stored-cancelled', 'cancelled'],
    ] as const) {
      const task = walk(...before);
      expect(task.state).toBe(phase);
      expect(task.fire(end)).toBe('finishing');
      expect(task.fire(stored)).toBe(final);
    }
  });

  it('ends a task delivered again after it ended without running it', () => {
    const task = walk('ended-before');
    expect(task.state).toBe('finishing');
    expect(task.can('toolbox-ready')).toBe(false);
  });

  it('refuses what a phase does not take', () => {
    const cases: [TaskTrigger[], TaskTrigger][] = [
      [[], 'toolbox-ready'], // nothing happens before the claim
      [['claimed'], 'actions-decided'], // no planning before the tools are known
      [['claimed', 'toolbox-ready'], 'steps-done'], // no steps before a decision
      [['claimed', 'toolbox-ready', 'actions-decided'], 'answered'], // an answer comes from planning
      [['claimed', 'toolbox-ready', 'answered'], 'cancelled'], // too late: the outcome is being stored
      [['claimed', 'toolbox-ready', 'answered', 'stored-completed'], 'failed'], // final
    ];
    for (const [before, trigger] of cases) {
      const task = walk(...before);
      expect(() => task.fire(trigger)).toThrow(IllegalTransition);
    }
  });

  it('maps each outcome to the trigger that stores it', () => {
    expect(storedTrigger('completed')).toBe('stored-completed');
    expect(storedTrigger('failed')).toBe('stored-failed');
    expect(storedTrigger('cancelled')).toBe('stored-cancelled');
  });

  it('documents every transition', () => {
    for (const t of TASK_LIFECYCLE.definition.transitions) expect(t.note).toBeTruthy();
  });
});
