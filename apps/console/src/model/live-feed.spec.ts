import { describe, expect, it } from '@jest/globals';
import { type LiveEntry, LiveFeed } from './live-feed';

const entry = (n: number, dropped?: number): LiveEntry => ({
  n,
  at: '2026-11-24T10:00:00.000Z',
  subject: `sb.cmd.tools.call`,
  kind: 'command',
  bytes: 10,
  data: { n },
  ...(dropped ? { dropped } : {}),
});

describe(LiveFeed.name, () => {
  it('keeps the newest messages within its capacity', () => {
    const sut = new LiveFeed(3);
    for (let n = 1; n <= 5; n++) sut.push(entry(n));
    expect(sut.entries.map((e) => e.n)).toEqual([3, 4, 5]);
  });

  it('holds still while paused, and shows what waited on resume', () => {
    const sut = new LiveFeed(10);
    sut.push(entry(1));
    sut.pause();
    sut.push(entry(2));
    sut.push(entry(3));
    expect(sut.entries.map((e) => e.n)).toEqual([1]);
    expect(sut.pending).toBe(2);
    sut.resume();
    expect(sut.entries.map((e) => e.n)).toEqual([1, 2, 3]);
    expect(sut.pending).toBe(0);
  });

  it('counts what the gateway left out and what overflowed while paused', () => {
    const sut = new LiveFeed(2);
    sut.push(entry(1, 4));
    sut.pause();
    for (let n = 2; n <= 5; n++) sut.push(entry(n));
    expect(sut.missed).toBe(4 + 2);
    sut.clear();
    expect(sut.missed).toBe(0);
    expect(sut.entries).toEqual([]);
  });
});
