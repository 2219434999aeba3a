// The bridge beside slixmpp's XEP-0332 plugin, measured in the same rounds so that the shared
// machine's noise lands on all alike: sequential blocks of the bridge's round trip, slixmpp's echo and
// slixmpp's HTTP forwarding taken in turn (the order rotating every round), then the bridge and the
// slixmpp echo with 32 in flight, in alternating rounds.
import { tempDir } from '@switchboard/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlixmppClient } from './slixmpp-peers.js';
import {
  IN_FLIGHT,
  type Figures,
  type Throughput,
  figures,
  printFigures,
  throughput,
  timed,
} from './timing.js';

const LOADED_ROUNDS = 3;

const rotate = <T>(xs: T[], by: number): T[] => xs.map((_, i) => xs[(i + by) % xs.length] as T);

export async function compareWithSlixmpp(
  client: SlixmppClient,
  opts: { text: string; kb: string; bridge: () => Promise<void>; seqN: number; parN: number },
): Promise<Record<string, Figures | Throughput>> {
  const bodyFile = join(tempDir('bench-slixmpp'), 'body.txt');
  writeFileSync(bodyFile, opts.text);
  await client.run('echo', bodyFile, 50);
  await client.run('http', bodyFile, 50);

  const block = Math.min(100, Math.ceil(opts.seqN / 5));
  const seq: Record<'bridge' | 'echo' | 'http', number[]> = { bridge: [], echo: [], http: [] };
  for (let round = 0; round * block < opts.seqN; round++) {
    for (const who of rotate(['bridge', 'echo', 'http'] as const, round)) {
      const r =
        who === 'bridge' ? await timed(opts.bridge, block) : await client.run(who, bodyFile, block);
      seq[who].push(...r.samples);
    }
  }
  const loaded = { bridge: [] as number[], echo: [] as number[] };
  const loadedSeconds = { bridge: 0, echo: 0 };
  const perRound = Math.ceil(opts.parN / LOADED_ROUNDS);
  for (let round = 0; round < LOADED_ROUNDS; round++) {
    for (const who of rotate(['bridge', 'echo'] as const, round)) {
      const r =
        who === 'bridge'
          ? await timed(opts.bridge, perRound, IN_FLIGHT)
          : await client.run('echo', bodyFile, perRound, IN_FLIGHT);
      loaded[who].push(...r.samples);
      loadedSeconds[who] += r.seconds;
    }
  }

  const result = {
    bridge: figures(seq.bridge),
    echo: figures(seq.echo),
    http: figures(seq.http),
    bridgeLoaded: throughput(loaded.bridge, loadedSeconds.bridge),
    echoLoaded: throughput(loaded.echo, loadedSeconds.echo),
  };
  const kb = opts.kb;
  console.log(`beside slixmpp, ${kb}, in the same rounds (blocks of ${block}, order rotating):`);
  printFigures(`BRIDGE round trip, ${kb}`, result.bridge);
  printFigures(`slixmpp echo round trip, ${kb}`, result.echo);
  printFigures(`slixmpp → HTTP target round trip, ${kb}`, result.http);
  printFigures(`BRIDGE, ${kb}, ${IN_FLIGHT} in flight`, result.bridgeLoaded);
  printFigures(`slixmpp echo, ${kb}, ${IN_FLIGHT} in flight`, result.echoLoaded);
  const p50 = result.bridge.p50;
  console.log(
    `  → bridge p50 / slixmpp echo p50 = ${(p50 / result.echo.p50).toFixed(2)}×, / slixmpp → HTTP p50 = ${(p50 / result.http.p50).toFixed(2)}× (goal < 1.00×)`,
  );
  console.log(
    `  → bridge req/s / slixmpp echo req/s at ${IN_FLIGHT} in flight = ${(result.bridgeLoaded.rps / result.echoLoaded.rps).toFixed(2)}×`,
  );
  console.log('');
  return result;
}
