// Loaded into the bridges with `--import` by `npm run bench -- xmpp --cpu-prof` (node refuses
// --cpu-prof in NODE_OPTIONS, and the bridges are started as services): the first SIGUSR2 starts V8's
// CPU profiler, the second writes the profile to CPU_PROFILE_FILE (open it in Chrome DevTools).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env['CPU_PROFILE_FILE'];
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 100 }, () =>
          session.post('Profiler.start'),
        ),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
