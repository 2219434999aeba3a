// The end of `npm test`: where the time went. Reads the stage times infra/test.sh recorded (one
// "name<TAB>seconds<TAB>passed|failed" line per stage) and the per-file times of the jest reporter and
// the chaos suite (JSON lines), and prints the elapsed time, the stage totals and the slowest files.
// Warns, never fails, when the whole run took longer than the budget (docs/development.md).
//
// usage: node tools/test-timings/report.mjs <stages.tsv> <files.jsonl> <elapsed-seconds> [budget-minutes]
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The budget the suite keeps from a clean clone (CI's hard limit is 90 minutes). */
export const BUDGET_MINUTES = 40;
export const SLOWEST = 20;

export function parseStages(text) {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name, seconds, status] = l.split('\t');
      return { name, seconds: Number(seconds), status: status ?? 'passed' };
    });
}

export function parseFiles(text) {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

const min = (s) => `${(s / 60).toFixed(1)} min`;
const pad = (v, n) => String(v).padStart(n);

/** The report's lines: elapsed, the stages with their share, the slowest files, and the verdict. */
export function summarize({
  stages,
  files,
  elapsed,
  budgetMinutes = BUDGET_MINUTES,
  slowest = SLOWEST,
}) {
  const lines = [];
  const budget = budgetMinutes * 60;
  lines.push(`elapsed: ${Math.round(elapsed)} s (${min(elapsed)}; budget ${budgetMinutes} min)`);
  lines.push('');
  lines.push('stage                              seconds  share  status');
  const staged = stages.reduce((a, s) => a + s.seconds, 0);
  for (const s of stages) {
    const share = elapsed > 0 ? `${Math.round((100 * s.seconds) / elapsed)}%` : '-';
    lines.push(
      `${s.name.padEnd(34)} ${pad(Math.round(s.seconds), 7)} ${pad(share, 6)}  ${s.status}`,
    );
  }
  const other = Math.max(0, elapsed - staged);
  lines.push(`${'(setup and the rest)'.padEnd(34)} ${pad(Math.round(other), 7)}`);
  if (files.length) {
    const sorted = [...files].sort((a, b) => b.seconds - a.seconds).slice(0, slowest);
    const total = files.reduce((a, f) => a + f.seconds, 0);
    lines.push('');
    lines.push(
      `the ${sorted.length} slowest of ${files.length} test files and faults (${Math.round(total)} s in all):`,
    );
    lines.push('seconds  tests  file');
    for (const f of sorted) {
      const what = f.kind === 'chaos' ? `chaos: ${f.file}` : f.file;
      lines.push(
        `${pad(f.seconds.toFixed(1), 7)} ${pad(f.tests ?? '', 6)}  ${what}${f.failed ? '  (failed)' : ''}`,
      );
    }
  }
  lines.push('');
  if (elapsed > budget)
    lines.push(
      `warning: the test suite took ${min(elapsed)}, over its ${budgetMinutes}-minute budget (docs/development.md, "The time budget")`,
    );
  else lines.push(`within the ${budgetMinutes}-minute budget (${min(budget - elapsed)} to spare)`);
  return lines;
}

function main(argv) {
  const [stagesFile, filesFile, elapsedArg, budgetArg] = argv;
  const read = (f) => (f && existsSync(f) ? readFileSync(f, 'utf8') : '');
  const lines = summarize({
    stages: parseStages(read(stagesFile)),
    files: parseFiles(read(filesFile)),
    elapsed: Number(elapsedArg ?? 0),
    budgetMinutes: budgetArg ? Number(budgetArg) : BUDGET_MINUTES,
  });
  console.log(lines.join('\n'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
