import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import { SeqOrderBuffer } from './seq-order.buffer.js';

const event = (seq: number) =>
  ({ taskId: 't', seq, name: 'orchestrator.step.started' }) as unknown as Tasks.TaskEvent;

const takeAll = (b: SeqOrderBuffer) => {
  const out: number[] = [];
  for (let e = b.take(); e; e = b.take()) out.push(e.seq);
  return out;
};

describe(SeqOrderBuffer.name, () => {
  it('hands out events in seq order, holding a later one until the earlier comes', () => {
    const b = new SeqOrderBuffer(1);
    b.hold(event(2));
    expect(b.gapped).toBe(true);
    expect(b.take()).toBeUndefined();
    b.hold(event(1));
    expect(b.ready).toBe(true);
    expect(takeAll(b)).toEqual([1, 2]);
    expect(b.next).toBe(3);
  });

  it('refuses what the reader is past, and keeps one copy of a duplicate', () => {
    const b = new SeqOrderBuffer(4);
    expect(b.hold(event(3))).toBe(false);
    expect(b.hold(event(4))).toBe(true);
    expect(b.hold(event(4))).toBe(true);
    expect(takeAll(b)).toEqual([4]);
    expect(b.hold(event(4))).toBe(false);
  });

  it('goes past the holes once told to, in order', () => {
    const b = new SeqOrderBuffer(1);
    for (const s of [7, 3, 5]) b.hold(event(s));
    expect(b.heldSeqs.sort()).toEqual([3, 5, 7]);
    expect(b.take()).toBeUndefined();
    b.skipHoles();
    expect(b.ready).toBe(true);
    expect(b.gapped).toBe(false);
    expect(takeAll(b)).toEqual([3, 5, 7]);
    expect(b.ready).toBe(false);
  });
});
