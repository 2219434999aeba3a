import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import {
  publicStatus,
  TASK_STATE,
  TASK_STATES,
  type TaskState,
  type TaskStateTrigger,
} from './task-state.machine.js';
import { IllegalTaskTransition, TaskStateStore } from './task-state.store.js';

// Every row of the table: the store's statements are made from it, so each is walked here.
const LEGAL: [TaskState, TaskStateTrigger, TaskState][] = [
  ['queued', 'claimed', 'running'],
  ['queued', 'behind-thread', 'waiting_thread'],
  ['waiting_thread', 'thread-handed-over', 'queued'],
  ['running', 'delegated', 'waiting_remote'],
  ['waiting_remote', 'remote-answered', 'running'],
  ['running', 'paused', 'waiting_approval'],
  ['waiting_remote', 'paused', 'waiting_approval'],
  ['waiting_approval', 'resumed', 'running'],
  ['queued', 'cancel-requested', 'cancelling'],
  ['running', 'cancel-requested', 'cancelling'],
  ['waiting_remote', 'cancel-requested', 'cancelling'],
  ['waiting_approval', 'cancel-requested', 'cancelling'],
  ['waiting_thread', 'cancel-requested', 'cancelling'],
  ['running', 'completed', 'completed'],
  ['waiting_remote', 'completed', 'completed'],
  ['cancelling', 'completed', 'completed'],
  ['running', 'failed', 'failed'],
  ['waiting_remote', 'failed', 'failed'],
  ['cancelling', 'failed', 'failed'],
  ['running', 'cancelled', 'cancelled'],
  ['waiting_remote', 'cancelled', 'cancelled'],
  ['cancelling', 'cancelled', 'cancelled'],
  ['queued', 'abandoned', 'failed'],
  ['running', 'abandoned', 'failed'],
  ['waiting_remote', 'abandoned', 'failed'],
  ['waiting_approval', 'abandoned', 'failed'],
  ['waiting_thread', 'abandoned', 'failed'],
  ['cancelling', 'abandoned', 'failed'],
];

describe('the stored task state machine', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, on, to) => {
    expect(TASK_STATE.next(from, on)).toBe(to);
    expect(TaskStateStore.target(on, from)).toBe(to);
  });

  it('has no row the tests above do not walk', () => {
    const table = TASK_STATE.definition.transitions.flatMap((t) =>
      (typeof t.from === 'string' ? [t.from] : t.from).map((f) => `${f} ${t.on} ${t.to}`),
    );
    expect(table.sort()).toEqual(LEGAL.map((r) => r.join(' ')).sort());
  });

  it.each([
    ['completed', 'cancel-requested'],
    ['failed', 'claimed'],
    ['cancelled', 'resumed'],
    ['running', 'claimed'],
    ['running', 'resumed'],
    ['waiting_approval', 'paused'],
    ['waiting_approval', 'completed'],
    ['cancelling', 'paused'],
    ['cancelling', 'cancel-requested'],
    ['queued', 'completed'],
    ['waiting_thread', 'claimed'],
    ['waiting_thread', 'behind-thread'],
    ['queued', 'thread-handed-over'],
    ['running', 'behind-thread'],
    ['waiting_remote', 'delegated'],
    ['waiting_remote', 'claimed'],
    ['running', 'remote-answered'],
    ['cancelling', 'remote-answered'],
    ['waiting_approval', 'delegated'],
  ] as [TaskState, TaskStateTrigger][])('refuses %s --%s-->, naming both', (from, on) => {
    expect(() => TASK_STATE.next(from, on)).toThrow(IllegalTransition);
    expect(() => TaskStateStore.target(on, from)).toThrow(
      new RegExp(`"${on}" does not move "${from}"`),
    );
  });

  it('refuses a list of states to leave when one of them does not take the event', () => {
    expect(() => TaskStateStore.target('completed', ['running', 'waiting_approval'])).toThrow(
      IllegalTaskTransition,
    );
    expect(TaskStateStore.target('cancel-requested', ['queued', 'running'])).toBe('cancelling');
  });

  it('creates a row in the state its first transition from the implicit queue reaches', () => {
    expect(TaskStateStore.created()).toBe('queued');
    expect(TaskStateStore.created('claimed')).toBe('running');
    // A task whose first delivery finds its thread busy: stored behind it.
    expect(TaskStateStore.created('behind-thread')).toBe('waiting_thread');
    expect(TaskStateStore.created('abandoned')).toBe('failed');
    expect(() => TaskStateStore.created('resumed')).toThrow(IllegalTaskTransition);
  });

  it('ends only in completed, failed or cancelled, and nothing leaves them', () => {
    const ends = TASK_STATES.filter((s) => TASK_STATE.isFinal(s));
    expect(ends).toEqual(['completed', 'failed', 'cancelled']);
  });

  it('shows the API today’s statuses: a cancel keeps what it was, a thread’s waiter is queued, a delegating task running', () => {
    const at = new Date();
    expect(publicStatus({ status: 'cancelling', pausedAt: null, startedAt: at })).toBe('running');
    expect(publicStatus({ status: 'cancelling', pausedAt: at, startedAt: at })).toBe(
      'waiting_approval',
    );
    expect(publicStatus({ status: 'cancelling', pausedAt: null, startedAt: null })).toBe('queued');
    expect(publicStatus({ status: 'waiting_thread' })).toBe('queued');
    expect(publicStatus({ status: 'waiting_remote', startedAt: at })).toBe('running');
    expect(publicStatus({ status: 'queued' })).toBe('queued');
    expect(publicStatus({ status: 'completed' })).toBe('completed');
  });
});
