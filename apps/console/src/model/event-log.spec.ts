import { describe, expect, it } from '@jest/globals';
import type { KeyValueStore } from '../api/session';
import { EventLog, forgetEvents, loadEvents, saveEvents, type TaskEvent } from './event-log';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const event = (seq: number, name = 'orchestrator.planning.started'): TaskEvent =>
  ({
    taskId: TASK,
    seq,
    at: '2026-11-24T10:00:00.000Z',
    source: 'orchestrator',
    name,
    data: { planner: 'builtin', iteration: seq },
  }) as TaskEvent;

class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  full = false;
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.full) throw new Error('QuotaExceededError');
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe(EventLog.name, () => {
  it('keeps each seq once, in order, and reports a gap instead of accepting it', () => {
    const sut = new EventLog();
    expect(sut.add(event(1))).toBe('added');
    expect(sut.add(event(2))).toBe('added');
    expect(sut.add(event(2))).toBe('repeat');
    expect(sut.add(event(1))).toBe('repeat');
    expect(sut.add(event(4))).toBe('gap');
    expect(sut.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(sut.lastSeq).toBe(2);
    expect(sut.ended).toBe(false);
    expect(sut.add(event(3, 'orchestrator.task.completed'))).toBe('added');
    expect(sut.ended).toBe(true);
  });

  it('starts from what a previous page kept, up to its first hole', () => {
    const sut = new EventLog([event(1), event(2), event(4)]);
    expect(sut.lastSeq).toBe(2);
  });
});

describe('kept events (sessionStorage)', () => {
  it('restores what was saved, so a reload resumes after the last event', () => {
    const store = new MapStore();
    saveEvents(store, TASK, [event(1), event(2), event(3)]);
    expect(loadEvents(store, TASK).map((e) => e.seq)).toEqual([1, 2, 3]);
    forgetEvents(store, TASK);
    expect(loadEvents(store, TASK)).toEqual([]);
  });

  it('drops the copy when the store is full, and reads nothing from a damaged one', () => {
    const store = new MapStore();
    saveEvents(store, TASK, [event(1)]);
    store.full = true;
    saveEvents(store, TASK, [event(1), event(2)]);
    expect(loadEvents(store, TASK)).toEqual([]);
    store.full = false;
    store.setItem(`switchboard-console:events:${TASK}`, '{not json');
    expect(loadEvents(store, TASK)).toEqual([]);
  });
});
