// A jest reporter that records each test file's wall time, one JSON line per file, in the file named by
// SB_TEST_TIMINGS (infra/test.sh sets it; without it the reporter does nothing). `npm test` ends with the
// slowest files read from it (tools/test-timings/report.mjs). jest's own start/end times are used, so
// the figure is what the file cost the run, start-up and clean-up included.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

export default class TimingsReporter {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
  }

  onTestResult(test, result) {
    const out = process.env['SB_TEST_TIMINGS'];
    if (!out) return;
    const { start, end } = result.perfStats;
    const line = {
      kind: 'jest',
      project: test.context.config.displayName?.name ?? '',
      file: relative(process.cwd(), test.path),
      seconds: Math.max(0, (end - start) / 1000),
      tests: result.numPassingTests + result.numFailingTests,
      failed: result.numFailingTests,
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }
}
