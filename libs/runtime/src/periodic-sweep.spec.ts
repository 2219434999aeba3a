import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import { PeriodicSweep } from './periodic-sweep.js';

/** A sweep that fails when told to and records whether it saw the shutdown. */
class ProbeSweep extends PeriodicSweep {
  fail = false;
  sawStopped: boolean[] = [];

  constructor(logger: Logger) {
    super(60_000, logger, 'probe sweep failed; the next one retries');
  }

  override async sweep(): Promise<void> {
    this.sawStopped.push(this.stopped);
    if (this.fail) throw new Error('database away');
  }

  runNow(): Promise<void> {
    return this.job.runOnce();
  }
}

function recordingLogger(): { logger: Logger; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
  return { logger, warnings };
}

describe(PeriodicSweep.name, () => {
  it('logs a failed sweep with its message and sweeps again at the next run', async () => {
    const { logger, warnings } = recordingLogger();
    const sweep = new ProbeSweep(logger);
    sweep.fail = true;
    await sweep.runNow();
    expect(warnings).toEqual([
      [{ err: new Error('database away') }, 'probe sweep failed; the next one retries'],
    ]);
    sweep.fail = false;
    await sweep.runNow();
    expect(sweep.sawStopped).toEqual([false, false]);
    expect(warnings).toHaveLength(1);
  });

  it('tells a sweep run after the module was destroyed that it is stopped', async () => {
    const { logger } = recordingLogger();
    const sweep = new ProbeSweep(logger);
    sweep.onApplicationBootstrap();
    await sweep.onModuleDestroy();
    await sweep.runNow();
    expect(sweep.sawStopped).toEqual([true]);
  });
});
