import { CpuWindow, netOfIdle } from './cpu-window.js';

describe('CpuWindow', () => {
  // A fake /proc: CPU ms per pid, and which pids each group has right now.
  const cpu = new Map<number, number>();
  let groups = new Map<string, number[]>();
  const open = () =>
    CpuWindow.open(() => new Map(groups), { read: (pid) => cpu.get(pid) ?? 0, intervalMs: 60_000 });

  beforeEach(() => {
    cpu.clear();
    groups = new Map();
  });

  it('counts what running processes used since the window opened, by group', () => {
    cpu.set(1, 1_000).set(2, 500);
    groups.set('gateway', [1]).set('PostgreSQL backends', [2]);
    const window = open();
    cpu.set(1, 1_040).set(2, 510);
    const { cpu: used, ms } = window.close();
    expect(used).toEqual(
      new Map([
        ['gateway', 40],
        ['PostgreSQL backends', 10],
      ]),
    );
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('counts a process born inside the window from zero, and keeps what an exited one had used', () => {
    cpu.set(1, 100);
    groups.set('PostgreSQL backends', [1]);
    const window = open();
    cpu.set(1, 130);
    window.sample(); // the pool's backend 1 is seen at 130 ms…
    cpu.set(1, 0); // …and exits: /proc has nothing for it any more
    cpu.set(2, 25);
    groups.set('PostgreSQL backends', [2]); // a new backend, born inside the window
    window.sample();
    cpu.set(2, 45);
    expect(window.close().cpu.get('PostgreSQL backends')).toBe(30 + 45);
  });

  it('lists a group with no process as 0', () => {
    groups.set('Redis', []);
    expect(open().close().cpu).toEqual(new Map([['Redis', 0]]));
  });
});

describe('netOfIdle', () => {
  it('subtracts the idle window group by group, keeping groups only one side has', () => {
    const net = netOfIdle(
      new Map([
        ['audit', 120],
        ['nats-server', 80],
      ]),
      new Map([
        ['audit', 20],
        ['a2a', 5],
      ]),
    );
    expect(net).toEqual(
      new Map([
        ['audit', 100],
        ['nats-server', 80],
        ['a2a', -5],
      ]),
    );
  });
});
