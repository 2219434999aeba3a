// Timing and printing shared by the XMPP benchmark's measuring sides (load.ts, slixmpp-compare.ts).
import { percentile } from '../stats.js';

/** Requests outstanding at a time in the loaded measurements. */
export const IN_FLIGHT = 32;

export interface Figures {
  p50: number;
  p99: number;
  n: number;
}
export interface Throughput extends Figures {
  rps: number;
}

export const figures = (samples: number[]): Figures => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  n: samples.length,
});

export const throughput = (samples: number[], seconds: number): Throughput => ({
  ...figures(samples),
  rps: samples.length / seconds,
});

/** `count` calls of `fn`, `inFlight` at a time: each call's duration (ms) and the seconds of them all. */
export async function timed(
  fn: () => Promise<unknown>,
  count: number,
  inFlight = 1,
): Promise<{ samples: number[]; seconds: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        const t = performance.now();
        await fn();
        samples.push(performance.now() - t);
      }
    }),
  );
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/** One line of figures: label, req/s when there is a throughput, p50, p99 and the count. */
export function printFigures(label: string, f: Figures | Throughput): void {
  console.log(
    `${label.padEnd(40)} ${'rps' in f ? `${f.rps.toFixed(0).padStart(6)} req/s  ` : ''}p50 ${f.p50.toFixed(2).padStart(7)} ms  p99 ${f.p99.toFixed(2).padStart(7)} ms  (n=${f.n})`,
  );
}
