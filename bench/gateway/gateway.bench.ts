// Gateway benchmark. Self-contained: starts a private NATS, a real gateway process and a plain
// node:http SSE server (the floor) on the same NATS, and drives both the same way in the same run.
//   npm run bench -- gateway [--quick] [--rounds N] [--only fanout|idle] [--client raw|node-http]
//     [--client-procs N] [--no-limits] [--gateway-entry main.js] [--baseline-entry main.js]
//     [--profile DIR] [--verbose]
// Measures: SSE fan-out (100 clients × 100 events) and 2,000 concurrent idle streams that then get
// two events (total time and first-event latency, gateway vs floor), and the cost of JWT verification.
//
// The clients (`raw`, the default) run in their own process (sse-load.client.ts: raw TCP sockets, a
// minimal GET, a byte scan for `data:` lines), apart from the publisher; `node-http` is the earlier
// in-process node:http client, kept to compare. The gateway runs with its limits on, as in production
// (each stream takes and frees a slot in Redis, each request is charged to the rate limit), with caps
// high enough for the bench; `--no-limits` turns them off. `--baseline-entry` runs a second gateway
// build (say, the one before a change) in the same rounds, for a before/after on equal terms: this
// machine's two cores are shared, so runs minutes apart are not. `--profile DIR` runs the gateway and
// the floor under the CPU profiler (cpu-profiled.entry.ts) and writes the monotonic time windows of
// each phase (windows.json), to cut the profiles to them (profile-summary.ts).
import 'reflect-metadata';
import { ALL_STREAMS, Tasks } from '@switchboard/contracts';
import {
  createBusClient,
  freePort,
  spawnManaged,
  startPrivateNats,
  startService,
  TEST_REDIS_URL,
  testRedisPrefix,
  waitForPort,
} from '@switchboard/testing';
import type { FastifyRequest } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, get, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DevAuthenticator } from '../../apps/gateway/src/auth/dev.authenticator.js';
import {
  JwtAuthenticator,
  type JwtSettings,
} from '../../apps/gateway/src/auth/jwt.authenticator.js';
import { type ClientCommand, type ClientReport, monotonicMs } from './sse-load.client.js';
import { median, percentile } from '../stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    client: { type: 'string', default: 'raw' },
    'client-procs': { type: 'string', default: '1' },
    'no-limits': { type: 'boolean', default: false },
    'gateway-entry': { type: 'string' },
    'baseline-entry': { type: 'string' },
    profile: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const quick = args.quick;
if (args.client !== 'raw' && args.client !== 'node-http')
  throw new Error(`--client raw|node-http, not ${args.client}`);
const clientProcs = Number(args['client-procs']);
/** dist/bench/gateway: the gateway's build output is dist/apps/gateway. */
const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = args.rounds ? Number(args.rounds) : quick ? 3 : 7;
const USER = 'bench-user';
const f = (x: number, unit = 'ms') => `${x.toFixed(1)} ${unit}`;

interface Run {
  totalMs: number;
  first: number[];
  /** CPU time of the server process (all its threads) from the first publish to the last event. */
  cpuMs: number;
  /** CPU time of the load generator in the same window. */
  clientCpuMs: number;
  /** Opening the streams (until every response head has arrived)… */
  openMs: number;
  /** …and the server's CPU for it, until the server is idle again. */
  openCpuMs: number;
}

/** Waits until the process has used under 5 % of a core for 50 ms (gives up after 5 s). */
async function quiesce(pid: number): Promise<void> {
  const deadline = performance.now() + 5_000;
  let cpu = cpuMsOf(pid);
  let quietSince = performance.now();
  while (performance.now() < deadline && performance.now() - quietSince < 50) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = cpuMsOf(pid);
    if (now - cpu > 0.5) quietSince = performance.now();
    cpu = now;
  }
}

/** CPU time a process has used so far, all threads, in ms (Linux schedstat: nanoseconds). */
function cpuMsOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** Streams held open by a load generator; `done` resolves with each stream's first and last event. */
interface OpenStreams {
  done: Promise<{ first: number[]; done: number[] }>;
  close(): Promise<void>;
}

interface LoadClient {
  open(port: number, path: string, clients: number, events: number): Promise<OpenStreams>;
  /** CPU time the load generator has used so far (ms). */
  cpuMs(): number;
  stop(): void;
}

/** Client processes (sse-load.client.ts), the streams split evenly between them. */
function rawClient(procs: number): LoadClient {
  const children: ChildProcess[] = [];
  for (let i = 0; i < procs; i++) {
    children.push(fork(join(here, 'sse-load.client.js'), [], { stdio: 'inherit' }));
  }
  const next = (child: ChildProcess, type: ClientReport['type']) =>
    new Promise<ClientReport>((resolve, reject) => {
      const onMessage = (m: ClientReport) => {
        if (m.type !== type && m.type !== 'error') return;
        child.off('message', onMessage);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m);
      };
      child.on('message', onMessage);
    });
  const send = (child: ChildProcess, cmd: ClientCommand) => child.send(cmd);
  return {
    async open(port, path, clients, events) {
      const share = (i: number) =>
        Math.floor((clients * (i + 1)) / procs) - Math.floor((clients * i) / procs);
      const opened = children.map((c) => next(c, 'opened'));
      const finished = children.map((c) => next(c, 'done'));
      // A failed stream rejects both; the one not awaited yet must not be an unhandled rejection.
      for (const p of [...opened, ...finished]) p.catch(() => undefined);
      children.forEach((c, i) =>
        send(c, {
          type: 'open',
          port,
          path,
          clients: share(i),
          events,
          headers: { 'x-user-id': USER },
        }),
      );
      await Promise.all(opened);
      return {
        done: Promise.all(finished).then((reports) => ({
          first: reports.flatMap((r) => (r.type === 'done' ? r.first : [])),
          done: reports.flatMap((r) => (r.type === 'done' ? r.done : [])),
        })),
        close: async () => {
          const closed = children.map((c) => next(c, 'closed'));
          for (const c of children) send(c, { type: 'close' });
          await Promise.all(closed);
        },
      };
    },
    cpuMs: () => children.reduce((sum, c) => sum + (c.pid ? cpuMsOf(c.pid) : 0), 0),
    stop: () => children.forEach((c) => c.kill()),
  };
}

/** The earlier client: node:http in the bench process itself (shares its event loop with the publisher). */
function nodeHttpClient(): LoadClient {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  return {
    async open(port, path, clients, events) {
      const first: number[] = new Array<number>(clients).fill(NaN);
      const done: Promise<number>[] = [];
      const opened: Promise<void>[] = [];
      for (let i = 0; i < clients; i++) {
        let resolveOpen!: () => void;
        let rejectOpen!: (e: Error) => void;
        opened.push(new Promise<void>((res, rej) => ((resolveOpen = res), (rejectOpen = rej))));
        done.push(
          new Promise<number>((resolveDone, rejectDone) => {
            const req = get(
              `http://127.0.0.1:${port}${path}`,
              { agent, headers: { 'x-user-id': USER, accept: 'text/event-stream' } },
              (res) => {
                if (res.statusCode !== 200) {
                  rejectOpen(new Error(`status ${res.statusCode}`));
                  return;
                }
                resolveOpen();
                let buffer = '';
                let count = 0;
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => {
                  buffer += chunk;
                  let cut;
                  while ((cut = buffer.indexOf('\n\n')) >= 0) {
                    const frame = buffer.slice(0, cut);
                    buffer = buffer.slice(cut + 2);
                    if (!frame.includes('data: ')) continue;
                    if (count++ === 0) first[i] = monotonicMs();
                    if (count === events) resolveDone(monotonicMs());
                  }
                });
                res.on('end', () =>
                  count >= events
                    ? resolveDone(monotonicMs())
                    : rejectDone(new Error(`stream ended after ${count}/${events} events`)),
                );
              },
            );
            req.on('error', (e) => {
              rejectOpen(e);
              rejectDone(e);
            });
          }),
        );
      }
      await Promise.all(opened);
      return {
        done: Promise.all(done).then((ends) => ({ first, done: ends })),
        close: () => Promise.resolve(),
      };
    },
    cpuMs: () => cpuMsOf(process.pid), // the whole bench process: the publisher too
    stop: () => agent.destroy(),
  };
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const limits = !args['no-limits'];
  console.log(
    `client: ${args.client === 'raw' ? `raw TCP, ${clientProcs} process(es)` : 'node:http in the bench process'}; gateway limits ${limits ? 'on' : 'off'}`,
  );
  const profileDir = args.profile ? resolve(args.profile) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  /** The entry to start: itself, or the profiling wrapper around it (writes `<name>.cpuprofile`). */
  const started = (name: string, entry: string): { entry: string; env: Record<string, string> } =>
    profileDir
      ? {
          entry: join(here, 'cpu-profiled.entry.js'),
          env: { PROFILED_ENTRY: entry, PROFILE_FILE: join(profileDir, `${name}.cpuprofile`) },
        }
      : { entry, env: {} };
  const nats = await startPrivateNats();
  const prefix = testRedisPrefix('bench');
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  const gatewayEnv = {
    NATS_SERVERS: nats.url,
    AUTH_MODE: 'dev',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    RATE_LIMIT_PER_MINUTE: limits ? '1000000' : '0',
    MAX_STREAMS_PER_USER: limits ? '100000' : '0',
    LOG_LEVEL: 'warn',
  };
  const startGateway = async (name: string, entry: string) => {
    const run = started(name, entry);
    return startService(name, { ...gatewayEnv, ...run.env }, { entry: run.entry });
  };
  const gateway = await startGateway(
    'gateway',
    args['gateway-entry']
      ? resolve(args['gateway-entry'])
      : join(here, '..', '..', 'apps', 'gateway', 'src', 'main.js'),
  );
  // Another build of the gateway (e.g. before a change), measured in the same rounds.
  const baseline = args['baseline-entry']
    ? await startGateway('baseline', resolve(args['baseline-entry']))
    : undefined;
  const floorPort = await freePort();
  const floorRun = started('floor', join(here, 'sse-floor.server.js'));
  const floor = spawnManaged(process.execPath, [floorRun.entry], {
    name: 'sse-floor',
    env: { NATS_URL: nats.url, PORT: String(floorPort), ...floorRun.env },
  });
  await waitForPort(floorPort);
  const bus = await createBusClient(nats.url, 'orchestrator');
  await bus.jetstream.ensureStreams(ALL_STREAMS);
  const client = args.client === 'raw' ? rawClient(clientProcs) : nodeHttpClient();

  const publish = async (taskId: string, events: number): Promise<number> => {
    let t0 = 0;
    for (let seq = 1; seq <= events; seq++) {
      const last = seq === events;
      const event = {
        taskId,
        seq,
        at: new Date().toISOString(),
        source: 'bench',
        ...(last
          ? {
              name: 'orchestrator.task.completed' as const,
              data: { result: 'done', planner: 'builtin' as const, steps: 0, durationMs: 1 },
            }
          : {
              name: 'orchestrator.planning.started' as const,
              data: { planner: 'builtin' as const, iteration: seq },
            }),
      };
      if (seq === 1) t0 = monotonicMs();
      await bus.jetstream.publish(
        Tasks.TaskEventPublished,
        [taskId, 'default', event.name],
        event,
        {
          msgId: `${taskId}:${seq}`,
        },
      );
    }
    return t0;
  };

  /** The timed windows (monotonic ms), written next to the profiles to cut them to those windows. */
  const windows: {
    server: string;
    phase: 'open' | 'events';
    clients: number;
    events: number;
    fromMs: number;
    toMs: number;
  }[] = [];
  const scenario = async (
    server: { name: string; port: number; pid: number },
    clients: number,
    events: number,
  ): Promise<Run> => {
    const taskId = randomUUID();
    await redis.set(`owner:${taskId}`, USER, 'EX', 600);
    const openCpu0 = cpuMsOf(server.pid);
    const opening = monotonicMs();
    const streams = await client.open(server.port, `/tasks/${taskId}/events`, clients, events);
    const openMs = monotonicMs() - opening;
    // The streams are idle once the server is: the open phase's last replies (NATS, Redis) are
    // handled before the first event is published, so that the timed window holds the events only.
    await quiesce(server.pid);
    const openCpuMs = cpuMsOf(server.pid) - openCpu0;
    const cpu0 = cpuMsOf(server.pid);
    const clientCpu0 = client.cpuMs();
    const t0 = await publish(taskId, events);
    const { first, done } = await streams.done;
    const cpuMs = cpuMsOf(server.pid) - cpu0;
    const clientCpuMs = client.cpuMs() - clientCpu0;
    const end = Math.max(...done);
    windows.push(
      {
        server: server.name,
        phase: 'open',
        clients,
        events,
        fromMs: opening,
        toMs: opening + openMs,
      },
      { server: server.name, phase: 'events', clients, events, fromMs: t0, toMs: end },
    );
    await streams.close();
    return {
      totalMs: end - t0,
      first: first.map((t) => t - t0),
      cpuMs,
      clientCpuMs,
      openMs,
      openCpuMs,
    };
  };

  const servers = [
    { name: 'floor', port: floorPort, pid: floor.pid },
    ...(baseline ? [{ name: 'baseline', port: baseline.port, pid: baseline.pid }] : []),
    { name: 'gateway', port: gateway.port, pid: gateway.pid },
  ];
  const compare = async (label: string, clients: number, events: number) => {
    const results = new Map<string, Run[]>(servers.map((x) => [x.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const server of servers) {
        results.get(server.name)?.push(await scenario(server, clients, events));
      }
    }
    const row = (name: string) => {
      const runs = results.get(name) ?? [];
      const first = runs.flatMap((x) => x.first);
      return {
        total: median(runs.map((x) => x.totalMs)),
        p50: percentile(first, 50),
        p99: percentile(first, 99),
        cpu: median(runs.map((x) => x.cpuMs)),
        clientCpu: median(runs.map((x) => x.clientCpuMs)),
        open: median(runs.map((x) => x.openMs)),
        openCpu: median(runs.map((x) => x.openCpuMs)),
      };
    };
    const fl = row('floor');
    const col = (x: number) => f(x).padStart(10);
    console.log(`\n${label} (median of ${ROUNDS} rounds; CPU: in the timed window)`);
    const heads = ['total', 'first p50', 'first p99', 'server CPU'].map((h) => h.padStart(10));
    console.log(
      `  ${''.padEnd(8)}${heads.join(' ')}  ${'client CPU'.padStart(10)}   total vs floor`,
    );
    for (const { name } of servers) {
      const x = row(name);
      const ratio =
        name === 'floor' ? '' : `   ${(x.total / fl.total).toFixed(2)}× (target ≤ 1.5×)`;
      console.log(
        `  ${name.padEnd(8)}${col(x.total)} ${col(x.p50)} ${col(x.p99)} ${col(x.cpu)}  ${col(x.clientCpu)}${ratio}`,
      );
    }
    if (args.verbose) {
      for (const { name } of servers) {
        const totals = (results.get(name) ?? []).map((x) => x.totalMs.toFixed(0)).join(' ');
        console.log(`  ${name.padEnd(8)} totals of each round (ms): ${totals}`);
      }
    }
    console.log(
      '  opening the streams (until every response head is in; CPU until the server is idle again):',
    );
    for (const { name } of servers) {
      const x = row(name);
      console.log(`  ${name.padEnd(8)}${col(x.open)}, server CPU ${f(x.openCpu)}`);
    }
    return row('gateway');
  };

  try {
    if (args.only !== 'idle') await compare('SSE fan-out: 100 clients × 100 events', 100, 100);
    if (args.only !== 'fanout') {
      const idle = await compare(
        `idle streams: ${quick ? 500 : 2_000} open, then 2 events`,
        quick ? 500 : 2_000,
        2,
      );
      console.log(
        `  first-event p99 at ${quick ? 500 : 2_000} streams: ${f(idle.p99)} (target < 100 ms)`,
      );
    }
    if (!args.only) await jwtCost(quick ? 2_000 : 20_000);
  } finally {
    client.stop();
    await bus.close();
    redis.disconnect();
    await floor.stop();
    await gateway.stop();
    await baseline?.stop();
    await nats.stop();
    if (profileDir) {
      writeFileSync(join(profileDir, 'windows.json'), JSON.stringify(windows, null, 2));
      console.log(`\nCPU profiles and timed windows (windows.json) in ${profileDir}`);
    }
  }
}

/** Per-request cost of authentication: dev (the floor), HS256, RS256 and ES256 via a JWKS (cached). */
async function jwtCost(n: number): Promise<void> {
  const [rsa, ec] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('ES256')]);
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'r', alg: 'RS256' },
      { ...(await exportJWK(ec.publicKey)), kid: 'e', alg: 'ES256' },
    ],
  };
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const secret = 'bench-secret-'.repeat(4);
  const settings: JwtSettings = {
    secret,
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    algorithms: ['HS256', 'RS256', 'ES256'],
    issuer: 'bench',
    audience: 'authenticated',
    clockToleranceSeconds: 30,
    userIdClaim: 'sub',
    emailClaim: 'email',
    roleClaim: 'role',
    jwksCacheMaxAgeMs: 600_000,
    jwksTimeoutMs: 5_000,
    jwksCooldownMs: 30_000,
  };
  const jwt = new JwtAuthenticator(settings);
  const dev = new DevAuthenticator('bench-user');
  const sign = (alg: string, key: Parameters<SignJWT['sign']>[0], kid?: string) =>
    new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
      .setSubject('bench-user')
      .setIssuer('bench')
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .sign(key);
  const tokens = {
    HS256: await sign('HS256', new TextEncoder().encode(secret)),
    RS256: await sign('RS256', rsa.privateKey, 'r'),
    ES256: await sign('ES256', ec.privateKey, 'e'),
  };
  /** Latency of each call (µs), and the process' CPU per call (µs; WebCrypto's thread pool too). */
  const time = async (
    auth: { authenticate(r: FastifyRequest): Promise<unknown> },
    headers: Record<string, string>,
  ) => {
    const request = { headers } as unknown as FastifyRequest;
    for (let i = 0; i < 200; i++) await auth.authenticate(request); // warm-up (and the JWKS fetch)
    const xs: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await auth.authenticate(request);
      xs.push((performance.now() - t) * 1000);
    }
    const cpu = process.cpuUsage(cpu0);
    return { xs, cpuPerCall: (cpu.user + cpu.system) / n };
  };
  console.log(`\nauthentication cost per request (n=${n}, in process, one at a time)`);
  const line = (label: string, { xs, cpuPerCall }: Awaited<ReturnType<typeof time>>) =>
    console.log(
      `  ${label.padEnd(16)} p50 ${f(median(xs), 'µs')}  p99 ${f(percentile(xs, 99), 'µs')}  CPU ${f(cpuPerCall, 'µs')}`,
    );
  line('dev (X-User-Id)', await time(dev, { 'x-user-id': 'bench-user' }));
  for (const [alg, token] of Object.entries(tokens)) {
    line(`jwt ${alg}`, await time(jwt, { authorization: `Bearer ${token}` }));
  }
  server.close();
}

await main();
