// The measuring side of the XMPP benchmark (started by xmpp.bench.ts with everything it needs in the
// environment). For 1 KB and 64 KB bodies, sequentially and with 32 in flight, it measures:
//   floors  — a raw NATS request/reply hop, a raw HTTP hop (keep-alive) to the same target, and an
//             XEP-0332 IQ echo between two plain @xmpp/client sessions through the same Prosody (and,
//             for comparison, the same echo between two sessions of the bridge's own XMPP stack);
//   bridge  — NatsBus → platform bridge → Prosody → agent bridge → HTTP target and back.
// Prints the figures and the ratios to the sum of the floors, and the CPU time each process of the
// chain (CPU_PIDS) spends per bridged request; then, with SLIXMPP_SETUP, the bridge beside slixmpp's
// XEP-0332 plugin in the same rounds (slixmpp-compare.ts); writes them as JSON to RESULTS_FILE.
import 'reflect-metadata';
import { connect } from '@nats-io/transport-node';
import { Xmpp } from '@switchboard/contracts';
import { createBusClient } from '@switchboard/testing';
import { client, xml } from '@xmpp/client';
import { type Element, xml as bridgeXml } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { login } from '../../apps/xmpp-bridge/src/xmpp/login.procedure.js';
import { ScramKeyCache } from '../../apps/xmpp-bridge/src/xmpp/sasl/scram.js';
import { Agent, request } from 'node:http';
import { body } from './body.js';
import { compareWithSlixmpp } from './slixmpp-compare.js';
import { SlixmppClient, type SlixmppSetup } from './slixmpp-peers.js';
import {
  IN_FLIGHT,
  type Figures,
  type Throughput,
  figures,
  printFigures,
  throughput,
  timed,
} from './timing.js';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const quick = process.argv.includes('--quick');
const sizesAt = process.argv.indexOf('--sizes');
const SIZES =
  sizesAt === -1 ? [1_024, 65_536] : (process.argv[sizesAt + 1] ?? '').split(',').map(Number);

/** Processes whose CPU is accounted, from CPU_PIDS (`name=pid,…`). */
const cpuPids = (process.env['CPU_PIDS'] ?? '')
  .split(',')
  .filter(Boolean)
  .map((item) => {
    const [name, pid] = item.split('=');
    return { name: name ?? '?', pid: Number(pid) };
  });

/** User + system CPU of a process so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** What `run` returns, and the CPU ms per call for every accounted process (and this one). */
async function cpuPer<T>(
  calls: number,
  run: () => Promise<T>,
): Promise<{ value: T; cpu: Record<string, number> }> {
  const before = cpuPids.map((p) => cpuMs(p.pid));
  const own = process.cpuUsage();
  const value = await run();
  const ownUsed = process.cpuUsage(own);
  const cpu: Record<string, number> = {};
  cpuPids.forEach((p, i) => (cpu[p.name] = (cpuMs(p.pid) - (before[i] ?? NaN)) / calls));
  cpu['load (NatsBus caller)'] = (ownUsed.user + ownUsed.system) / 1000 / calls;
  return { value, cpu };
}

/** Calls `sequential` makes: its warm-up and then `n`. */
const sequentialCalls = (n: number) => n + Math.ceil(Math.min(100, n / 5));

async function sequential(n: number, fn: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < Math.min(100, n / 5); i++) await fn();
  return figures((await timed(fn, n)).samples);
}

async function parallel(n: number, fn: () => Promise<unknown>): Promise<Throughput> {
  for (let i = 0; i < 64; i++) await fn();
  const { samples, seconds } = await timed(fn, n, IN_FLIGHT);
  return throughput(samples, seconds);
}

async function main(): Promise<void> {
  const nc = await connect({ servers: env('NATS_URL') });
  const bus = await createBusClient(env('NATS_URL'), 'a2a');
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const target = new URL(env('TARGET_URL'));
  const xmpp = client({
    service: env('XMPP_SERVICE'),
    domain: env('XMPP_DOMAIN'),
    username: env('XMPP_USER'),
    password: env('XMPP_PASSWORD'),
    resource: 'load',
  });
  xmpp.on('error', () => undefined);
  await xmpp.start();
  const floorJid = env('FLOOR_JID');
  const domain = env('XMPP_DOMAIN');
  const own = await login(
    {
      jid: { local: env('XMPP_USER'), domain, resource: 'own-load' },
      bare: `${env('XMPP_USER')}@${domain}`,
      password: env('XMPP_PASSWORD'),
      domain,
      host: '127.0.0.1',
      port: Number(new URL(env('XMPP_SERVICE')).port),
      tls: 'starttls',
      sources: { host: 'bench', port: 'bench', domain: 'bench', tls: 'bench' },
      validateCert: true,
      ca: readFileSync(env('NODE_EXTRA_CA_CERTS'), 'utf8'),
      timeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      resource: 'own-load',
      keepaliveMs: 0,
      reconnect: { initialMs: 100, maxMs: 1_000 },
    },
    new ScramKeyCache(),
  );
  const ownPending = new Map<string, (el: Element) => void>();
  own.client.on('element', (el: Element) => ownPending.get(el.attrs['id'] ?? '')?.(el));
  const ownFloorJid = floorJid.replace(/\/.*$/, '/own-floor');

  const slixmppSetup = process.env['SLIXMPP_SETUP'];
  const slixmpp = slixmppSetup
    ? await SlixmppClient.start(JSON.parse(slixmppSetup) as SlixmppSetup)
    : undefined;

  const results: Record<string, unknown> = {};

  for (const size of SIZES) {
    const text = body(size);
    const payload = new TextEncoder().encode(text);
    const seqN = quick ? (size > 1024 ? 100 : 300) : size > 1024 ? 400 : 2_000;
    const parN = quick ? (size > 1024 ? 300 : 1_000) : size > 1024 ? 1_500 : 6_000;
    const kb = `${size / 1024} KB`;

    const natsHop = async () => {
      const r = await nc.request('bench.xmpp.floor.echo', payload, { timeout: 10_000 });
      if (r.data.length !== size) throw new Error('nats echo size');
    };
    const httpHop = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          {
            hostname: target.hostname,
            port: target.port,
            path: '/echo',
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
          },
          (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => (n += c.length));
            res.on('end', () => (n === size ? resolve() : reject(new Error('http echo size'))));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    const iqEcho = async () => {
      const r = await xmpp.iqCaller.request(
        xml(
          'iq',
          { type: 'set', to: floorJid },
          xml(
            'req',
            { xmlns: 'urn:xmpp:http', method: 'POST', resource: '/echo', version: '1.1' },
            xml('data', {}, xml('text', {}, text)),
          ),
        ),
        10_000,
      );
      if ((r.getChild('resp')?.getChild('data')?.getChildText('text') ?? '').length !== size)
        throw new Error('iq echo size');
    };
    const ownEcho = async () => {
      const id = randomUUID();
      const reply = new Promise<Element>((resolve) => ownPending.set(id, resolve));
      await own.client.sendElement(
        bridgeXml(
          'iq',
          { type: 'set', to: ownFloorJid, id },
          bridgeXml(
            'req',
            { xmlns: 'urn:xmpp:http', method: 'POST', resource: '/echo', version: '1.1' },
            bridgeXml('data', {}, bridgeXml('text', {}, text)),
          ),
        ),
      );
      const r = await reply;
      ownPending.delete(id);
      if ((r.getChild('resp')?.getChild('data')?.getChildText('text') ?? '').length !== size)
        throw new Error('own iq echo size');
    };
    const bridge = async () => {
      const r = await bus.bus.request(
        Xmpp.HttpRequest,
        {
          method: 'POST',
          url: 'http://bench-agent.example/echo',
          headers: [['Content-Type', 'application/json']],
          body: { encoding: 'text', data: text },
        },
        { timeoutMs: 30_000 },
      );
      if (r.status !== 200 || r.body?.data.length !== size)
        throw new Error(`bridge echo: ${r.status} ${r.body?.data.length}`);
    };

    const floors = {
      nats: await sequential(seqN, natsHop),
      http: await sequential(seqN, httpHop),
      xmpp: await sequential(seqN, iqEcho),
      xmppOwn: await sequential(seqN, ownEcho),
    };
    printFigures(`floor NATS hop, ${kb}, sequential`, floors.nats);
    printFigures(`floor HTTP hop, ${kb}, sequential`, floors.http);
    printFigures(`floor XMPP IQ echo (@xmpp/client), ${kb}`, floors.xmpp);
    printFigures(`floor XMPP IQ echo (bridge's stack), ${kb}`, floors.xmppOwn);
    const { value: bridgeSeq, cpu } = await cpuPer(sequentialCalls(seqN), () =>
      sequential(seqN, bridge),
    );
    printFigures(`BRIDGE round trip, ${kb}, sequential`, bridgeSeq);
    console.log(
      `  CPU per request (ms): ${Object.entries(cpu)
        .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
        .join(', ')}`,
    );
    const floorSum = floors.nats.p50 + floors.http.p50 + floors.xmpp.p50;
    const ownSum = floors.nats.p50 + floors.http.p50 + floors.xmppOwn.p50;
    console.log(
      `  → bridge p50 / sum of floor p50s (${floorSum.toFixed(2)} ms) = ${(bridgeSeq.p50 / floorSum).toFixed(2)}× (target ≤ 1.30×)`,
    );
    console.log(
      `  → with the bridge-stack XMPP floor (${ownSum.toFixed(2)} ms) = ${(bridgeSeq.p50 / ownSum).toFixed(2)}×`,
    );

    const parFloors = {
      nats: await parallel(parN, natsHop),
      http: await parallel(parN, httpHop),
      xmpp: await parallel(parN, iqEcho),
      xmppOwn: await parallel(parN, ownEcho),
    };
    printFigures(`floor NATS hop, ${kb}, ${IN_FLIGHT} in flight`, parFloors.nats);
    printFigures(`floor HTTP hop, ${kb}, ${IN_FLIGHT} in flight`, parFloors.http);
    printFigures(`floor XMPP IQ echo, ${kb}, ${IN_FLIGHT} in flight`, parFloors.xmpp);
    printFigures(`floor XMPP IQ echo (bridge's stack), ${kb}, ${IN_FLIGHT}`, parFloors.xmppOwn);
    const { value: bridgePar, cpu: cpuPar } = await cpuPer(parN + 64, () => parallel(parN, bridge));
    printFigures(`BRIDGE round trip, ${kb}, ${IN_FLIGHT} in flight`, bridgePar);
    console.log(
      `  CPU per request (ms): ${Object.entries(cpuPar)
        .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
        .join(', ')}`,
    );
    // The slowest floor bounds what a chain of the three can sustain.
    const floorRps = Math.min(parFloors.nats.rps, parFloors.http.rps, parFloors.xmpp.rps);
    console.log(
      `  → bridge throughput / slowest floor (${floorRps.toFixed(0)} req/s) = ${(bridgePar.rps / floorRps).toFixed(2)}`,
    );
    console.log('');
    results[kb] = {
      floors,
      bridge: bridgeSeq,
      cpuPerRequestMs: cpu,
      ratioP50: bridgeSeq.p50 / floorSum,
      ratioP50OwnStack: bridgeSeq.p50 / ownSum,
      parallel: { floors: parFloors, bridge: bridgePar, cpuPerRequestMs: cpuPar },
      ...(slixmpp
        ? { slixmpp: await compareWithSlixmpp(slixmpp, { text, kb, bridge, seqN, parN }) }
        : {}),
    };
  }

  const file = process.env['RESULTS_FILE'];
  if (file) writeFileSync(file, JSON.stringify(results, null, 2));
  own.client.destroy();
  await Promise.allSettled([xmpp.stop(), nc.close(), bus.close(), slixmpp?.stop()]);
  agent.destroy();
  process.exit(0);
}

await main();
