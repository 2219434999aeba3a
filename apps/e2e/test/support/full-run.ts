// Long durations and large counts in the end-to-end tests (docs/development.md, "Durations and
// counts"): CI runs each property with a duration or count that still shows it (several retry
// periods, several ack-wait periods…); SB_TEST_FULL=1 runs the full one the scenario states (a
// receiver down for a minute…). Each such test says both in its name (`says`).

/** Whether this run asked for the full durations and counts (SB_TEST_FULL=1). */
export const FULL_RUN = process.env['SB_TEST_FULL'] === '1';

/** The value this run uses, and how a test's name says which it runs. */
export interface CiOrFull {
  value: number;
  /** e.g. "8 s in CI, a minute with SB_TEST_FULL=1" */
  says: string;
}

/** A duration as a test's name says it: "a minute", "2 min", "8 s", "1.5 s". */
export function spoken(ms: number): string {
  if (ms === 60_000) return 'a minute';
  if (ms > 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}

/** `full` with SB_TEST_FULL=1, else `ci`; `say` words one of them (default: a duration in ms). */
export function ciOrFull(ci: number, full: number, say: (n: number) => string = spoken): CiOrFull {
  return {
    value: FULL_RUN ? full : ci,
    says: `${say(ci)} in CI, ${say(full)} with SB_TEST_FULL=1`,
  };
}
