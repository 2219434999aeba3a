// Runs another entry point (PROFILED_ENTRY) under the V8 CPU profiler and writes the profile to
// PROFILE_FILE when the process is told to stop (SIGTERM/SIGINT), before the service's own shutdown
// (Nest re-raises the signal, so 'exit' handlers would not run). `node --cpu-prof` cannot be used: the
// services are started by startService with fixed arguments, and NODE_OPTIONS refuses --cpu-prof.
// Profile timestamps are CLOCK_MONOTONIC µs, the clock of the windows gateway.bench.ts writes.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const entry = process.env['PROFILED_ENTRY'];
const file = process.env['PROFILE_FILE'];
if (!entry || !file) throw new Error('PROFILED_ENTRY and PROFILE_FILE are required');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
let written = false;
const write = () => {
  if (written) return;
  written = true;
  // An in-thread session answers synchronously, so this completes inside the signal handler.
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(file, JSON.stringify(result.profile));
  });
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.prependListener(signal, write);
}

await import(pathToFileURL(entry).href);
// An entry without a handler of its own (the floor) would now be kept alive by the listener above.
if (process.listenerCount('SIGTERM') === 1) process.once('SIGTERM', () => process.exit(0));
