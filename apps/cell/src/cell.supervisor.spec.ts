import { describe, expect, it } from '@jest/globals';
import type { MetricsJson } from '@switchboard/observability';
import type { CellMessage } from './cell-messages.js';
import {
  type CellProcess,
  CellSupervisor,
  FIRST_BACKOFF_MS,
  HEALTHY_MS,
  MAX_BACKOFF_MS,
} from './cell.supervisor.js';

/** A cell process the test drives: it says it is ready, dies, and records what it was sent. */
class FakeCell implements CellProcess {
  readonly sent: CellMessage[] = [];
  readonly signals: NodeJS.Signals[] = [];
  private readonly messageListeners: ((m: unknown) => void)[] = [];
  private readonly exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] =
    [];
  constructor(
    readonly n: number,
    readonly pid: number,
  ) {}
  send(message: CellMessage): void {
    this.sent.push(message);
  }
  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }
  onMessage(listener: (m: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }
  say(message: unknown): void {
    for (const l of this.messageListeners) l(message);
  }
  ready(): void {
    this.say({ type: 'sb:cell-ready', urls: { gateway: 'http://127.0.0.1:3000' } });
  }
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    for (const l of this.exitListeners) l(code, signal);
  }
}

/** A supervisor of `count` fake cells on a clock the test moves. */
function supervise(count: number) {
  let pid = 100;
  let clock = 0;
  const forked: FakeCell[] = [];
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const exits: number[] = [];
  const lines: string[] = [];
  const log = (level: string) => (_: object, msg: string) => lines.push(`${level} ${msg}`);
  const supervisor = new CellSupervisor(count, {
    fork: (n) => {
      const cell = new FakeCell(n, ++pid);
      forked.push(cell);
      return cell;
    },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    exit: (code) => exits.push(code),
    now: () => clock,
    schedule: (fn, ms) => {
      const timer = { at: clock + ms, fn, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  });
  const advance = (ms: number) => {
    clock += ms;
    for (const t of timers.filter((x) => !x.cancelled && x.at <= clock)) {
      t.cancelled = true;
      t.fn();
    }
  };
  /** The cell running now in slot n. */
  const cell = (n: number) => forked.filter((c) => c.n === n).at(-1) as FakeCell;
  return { supervisor, forked, exits, lines, advance, cell, timers };
}

/** Starts the cells and has each say it is ready. */
function allReady(count: number) {
  const s = supervise(count);
  s.supervisor.start();
  s.cell(1).ready();
  for (let n = 2; n <= count; n++) s.cell(n).ready();
  return s;
}

describe(CellSupervisor.name, () => {
  it('starts the first cell alone, the others once it is ready, and says when all are', () => {
    const s = supervise(3);
    s.supervisor.start();
    expect(s.forked.map((c) => c.n)).toEqual([1]);
    s.cell(1).ready();
    expect(s.forked.map((c) => c.n)).toEqual([1, 2, 3]);
    s.cell(3).ready();
    expect(s.lines.filter((l) => l.includes('cells ready'))).toEqual([]);
    s.cell(2).ready();
    expect(s.lines).toContain('info cells ready: 3 cells (pids 101, 102, 103)');
    expect(s.supervisor.pids()).toEqual([101, 102, 103]);
  });

  it('starts a cell that dies again in its place, at once when it had been ready a while', () => {
    const s = allReady(2);
    s.advance(HEALTHY_MS);
    s.cell(2).exit(null, 'SIGKILL');
    expect(s.forked.map((c) => c.n)).toEqual([1, 2, 2]);
    expect(s.lines).toContain('warn cell 2 (pid 102) exited (SIGKILL): starting it again');
    expect(s.supervisor.pids()).toEqual([101, 103]);
    s.cell(2).ready();
    expect(s.lines).toContain('info cell 2 ready again');
    expect(s.exits).toEqual([]);
  });

  it('backs off a cell that keeps dying soon after it starts: at once, then 1 s, 2 s, 4 s … at most 30 s', () => {
    const s = allReady(2);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = s.forked.length;
      s.cell(1).exit(1);
      let waited = 0;
      while (s.forked.length === before) {
        s.advance(500);
        waited += 500;
      }
      delays.push(waited / 1000);
    }
    expect(delays).toEqual([0, 1, 2, 4, 8, 16, MAX_BACKOFF_MS / 1000, MAX_BACKOFF_MS / 1000]);
    expect(FIRST_BACKOFF_MS).toBe(1000);
    // ready a while, then dead: at once again
    s.cell(1).ready();
    s.advance(HEALTHY_MS);
    const before = s.forked.length;
    s.cell(1).exit(null, 'SIGKILL');
    expect(s.forked.length).toBe(before + 1);
  });

  it('stops every cell on a signal, exits 0 once all have stopped cleanly, and starts none again', () => {
    const s = allReady(3);
    s.supervisor.stop('SIGTERM');
    expect(s.forked.map((c) => c.signals)).toEqual([['SIGTERM'], ['SIGTERM'], ['SIGTERM']]);
    s.cell(2).exit(0);
    s.cell(1).exit(0);
    expect(s.exits).toEqual([]);
    s.cell(3).exit(0);
    expect(s.exits).toEqual([0]);
    expect(s.forked).toHaveLength(3);
    // a repeated SIGTERM changes nothing
    s.supervisor.stop('SIGTERM');
    expect(s.exits).toEqual([0]);
  });

  it('exits 1 when a cell did not stop cleanly', () => {
    const s = allReady(2);
    s.supervisor.stop('SIGTERM');
    s.cell(1).exit(1);
    s.cell(2).exit(0);
    expect(s.exits).toEqual([1]);
  });

  it('cancels a pending restart on a signal', () => {
    const s = allReady(2);
    s.cell(2).exit(1); // started again at once
    s.cell(2).exit(1); // and again in 1 s
    expect(s.forked).toHaveLength(3);
    s.supervisor.stop('SIGTERM');
    s.cell(1).exit(0);
    expect(s.exits).toEqual([0]);
    s.advance(MAX_BACKOFF_MS);
    expect(s.forked).toHaveLength(3);
  });

  it('a second SIGINT exits at once', () => {
    const s = allReady(2);
    s.supervisor.stop('SIGINT');
    s.supervisor.stop('SIGINT');
    expect(s.exits).toEqual([1]);
  });

  it('stops the others and exits 1 when a cell dies before all were ready (its settings, say)', () => {
    const s = supervise(3);
    s.supervisor.start();
    s.cell(1).ready();
    s.cell(3).exit(1);
    expect(s.lines).toContain(
      'error cell 3 exited (code 1) before it was ready: stopping the others',
    );
    expect(s.cell(1).signals).toEqual(['SIGTERM']);
    expect(s.cell(2).signals).toEqual(['SIGTERM']);
    s.cell(1).exit(0);
    s.cell(2).exit(null, 'SIGTERM');
    expect(s.exits).toEqual([1]);
    expect(s.forked).toHaveLength(3);
  });

  it('exits 1 when the first cell cannot start, having started no other', () => {
    const s = supervise(4);
    s.supervisor.start();
    s.cell(1).exit(1);
    expect(s.exits).toEqual([1]);
    expect(s.forked).toHaveLength(1);
  });

  describe("a scrape of one cell's port", () => {
    /** What a cell sends as its metrics: passed on as it is, so any data will do. */
    const json = (instance: string) =>
      [
        { name: 'sb_x_total', values: [{ value: 1, labels: { instance } }] },
      ] as unknown as MetricsJson;

    it("brings that cell the other ready cells' metrics of the service", () => {
      const s = allReady(3);
      s.cell(2).say({ type: 'sb:scrape', id: 7, service: 'orchestrator' });
      const asked1 = s.cell(1).sent.at(-1) as Extract<CellMessage, { type: 'sb:collect' }>;
      const asked3 = s.cell(3).sent.at(-1) as Extract<CellMessage, { type: 'sb:collect' }>;
      expect(asked1).toMatchObject({ type: 'sb:collect', service: 'orchestrator' });
      expect(asked3.id).toBe(asked1.id);
      expect(s.cell(2).sent).toEqual([]);
      s.cell(3).say({ type: 'sb:collected', id: asked3.id, metrics: json('c3') });
      expect(s.cell(2).sent).toEqual([]);
      s.cell(1).say({ type: 'sb:collected', id: asked1.id, metrics: json('c1') });
      expect(s.cell(2).sent).toEqual([
        { type: 'sb:scraped', id: 7, metrics: [json('c3'), json('c1')] },
      ]);
    });

    it('answers without a cell that is late, or dies, or does not run the service', () => {
      const s = allReady(3);
      s.cell(1).say({ type: 'sb:scrape', id: 1, service: 'gateway' });
      const key = (s.cell(2).sent.at(-1) as { id: number }).id;
      s.cell(2).say({ type: 'sb:collected', id: key });
      s.cell(3).exit(null, 'SIGKILL');
      expect(s.cell(1).sent).toEqual([{ type: 'sb:scraped', id: 1, metrics: [] }]);

      s.cell(1).say({ type: 'sb:scrape', id: 2, service: 'audit' });
      s.advance(2_000);
      expect(s.cell(1).sent.at(-1)).toEqual({ type: 'sb:scraped', id: 2, metrics: [] });
    });

    it('ignores what is not ours on the channel', () => {
      const s = allReady(2);
      s.cell(1).say({ type: 'prom-client:getMetricsReq' });
      s.cell(1).say('hello');
      expect(s.cell(2).sent).toEqual([]);
    });
  });
});
