// Self time by function in a CPU profile written by `gateway.bench.ts --profile DIR`, counting only
// the samples inside the bench's windows of one server and phase (windows.json):
//   node dist/bench/gateway/profile-summary.js DIR gateway [events|open] [--top 40] [--skip 1]
// `--skip 1` leaves out the first round (cold JIT).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Window {
  server: string;
  phase: string;
  fromMs: number;
  toMs: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '40' }, skip: { type: 'string', default: '0' } },
});
const [dir, server, phase = 'events'] = positionals;
if (!dir || !server) throw new Error('usage: profile-summary DIR SERVER [events|open]');

const windows = (JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Window[])
  .filter((w) => w.server === server && w.phase === phase)
  .slice(Number(values.skip));
const profile = JSON.parse(readFileSync(join(dir, `${server}.cpuprofile`), 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const label = ({ callFrame: f }: ProfileNode) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}`;

const self = new Map<string, number>();
let inWindows = 0;
let t = profile.startTime; // µs, CLOCK_MONOTONIC like the windows (ms)
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  const ms = t / 1_000;
  const node = nodes.get(id);
  if (!node || !windows.some((w) => ms >= w.fromMs && ms <= w.toMs)) return;
  inWindows++;
  self.set(label(node), (self.get(label(node)) ?? 0) + 1);
});

const span = windows.reduce((sum, w) => sum + w.toMs - w.fromMs, 0);
console.log(
  `${server}, ${phase}: ${windows.length} windows (${span.toFixed(1)} ms), ${inWindows} samples in them`,
);
for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${((100 * n) / Math.max(1, inWindows)).toFixed(1).padStart(5)} %  ${name}`);
}
