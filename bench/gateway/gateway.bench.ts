// Gateway benchmark (issue 4). Self-contained: starts a private NATS, a real gateway process and a plain
// node:http SSE server (the floor) on the same NATS, and drives both the same way in the same run.
//   npm run bench -- gateway [--quick]
// Measures: SSE fan-out (100 clients × 100 events) and 2,000 concurrent idle streams that then get an
// event (total time and first-event latency, gateway vs floor), and the cost of JWT verification.
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
import { randomUUID } from 'node:crypto';
import { Agent, get, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevAuthenticator } from '../../apps/gateway/src/auth/dev.authenticator.js';
import {
  JwtAuthenticator,
  type JwtSettings,
} from '../../apps/gateway/src/auth/jwt.authenticator.js';

const quick = process.argv.includes('--quick');
/** dist/bench/gateway: the gateway's build output is dist/apps/gateway. */
const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = quick ? 1 : 3;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const median = (xs: number[]) => pct(xs, 50);
const f = (x: number, unit = 'ms') => `${x.toFixed(1)} ${unit}`;

interface Run {
  totalMs: number;
  first: number[];
}

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

/** Opens `clients` SSE streams on `url`; resolves once all are open, with a promise for their end. */
async function openClients(url: string, clients: number, events: number) {
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
          url,
          { agent, headers: { 'x-user-id': 'bench-user', accept: 'text/event-stream' } },
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
                if (count++ === 0) first[i] = performance.now();
                if (count === events) resolveDone(performance.now());
              }
            });
            res.on('end', () =>
              count >= events
                ? resolveDone(performance.now())
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
  return { first, done: Promise.all(done) };
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const nats = await startPrivateNats();
  const prefix = testRedisPrefix('bench');
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  const gateway = await startService(
    'gateway',
    {
      NATS_SERVERS: nats.url,
      AUTH_MODE: 'dev',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_STREAMS_PER_USER: '0',
      LOG_LEVEL: 'warn',
    },
    { entry: join(here, '..', '..', 'apps', 'gateway', 'src', 'main.js') },
  );
  const floorPort = await freePort();
  const floorEntry = join(here, 'sse-floor.server.js');
  const floor = spawnManaged(process.execPath, [floorEntry], {
    name: 'sse-floor',
    env: { NATS_URL: nats.url, PORT: String(floorPort) },
  });
  await waitForPort(floorPort);
  const bus = await createBusClient(nats.url, 'orchestrator');
  await bus.jetstream.ensureStreams(ALL_STREAMS);

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
      if (seq === 1) t0 = performance.now();
      await bus.jetstream.publish(Tasks.TaskEventPublished, [taskId, event.name], event, {
        msgId: `${taskId}:${seq}`,
      });
    }
    return t0;
  };

  const scenario = async (base: string, clients: number, events: number): Promise<Run> => {
    const taskId = randomUUID();
    await redis.set(`owner:${taskId}`, 'bench-user', 'EX', 600);
    const { first, done } = await openClients(`${base}/tasks/${taskId}/events`, clients, events);
    const t0 = await publish(taskId, events);
    const ends = await done;
    return { totalMs: Math.max(...ends) - t0, first: first.map((t) => t - t0) };
  };

  const compare = async (label: string, clients: number, events: number) => {
    const results: Record<'gateway' | 'floor', Run[]> = { gateway: [], floor: [] };
    for (let r = 0; r < ROUNDS; r++) {
      results.floor.push(await scenario(`http://127.0.0.1:${floorPort}`, clients, events));
      results.gateway.push(await scenario(gateway.url, clients, events));
    }
    const row = (name: 'gateway' | 'floor') => {
      const total = median(results[name].map((x) => x.totalMs));
      const first = results[name].flatMap((x) => x.first);
      return { total, p50: pct(first, 50), p99: pct(first, 99) };
    };
    const g = row('gateway');
    const fl = row('floor');
    console.log(`\n${label} (median of ${ROUNDS} rounds)`);
    console.log(`  floor    total ${f(fl.total)}  first event p50 ${f(fl.p50)} p99 ${f(fl.p99)}`);
    console.log(`  gateway  total ${f(g.total)}  first event p50 ${f(g.p50)} p99 ${f(g.p99)}`);
    console.log(
      `  ratio    ${(g.total / fl.total).toFixed(2)}× the floor's total time (target ≤ 1.5×)`,
    );
    return g;
  };

  try {
    await compare('SSE fan-out: 100 clients × 100 events', 100, 100);
    const idle = await compare(
      `idle streams: ${quick ? 500 : 2_000} open, then 2 events`,
      quick ? 500 : 2_000,
      2,
    );
    console.log(
      `  first-event p99 at ${quick ? 500 : 2_000} streams: ${f(idle.p99)} (target < 100 ms)`,
    );
    await jwtCost(quick ? 2_000 : 20_000);
  } finally {
    await bus.close();
    redis.disconnect();
    await floor.stop();
    await gateway.stop();
    await nats.stop();
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
  const time = async (
    auth: { authenticate(r: FastifyRequest): Promise<unknown> },
    headers: Record<string, string>,
  ) => {
    const request = { headers } as unknown as FastifyRequest;
    for (let i = 0; i < 200; i++) await auth.authenticate(request); // warm-up (and the JWKS fetch)
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await auth.authenticate(request);
      xs.push((performance.now() - t) * 1000);
    }
    return xs;
  };
  console.log(`\nauthentication cost per request (n=${n}, in process)`);
  const floor = await time(dev, { 'x-user-id': 'bench-user' });
  console.log(`  dev (X-User-Id)  p50 ${f(median(floor), 'µs')}  p99 ${f(pct(floor, 99), 'µs')}`);
  for (const [alg, token] of Object.entries(tokens)) {
    const xs = await time(jwt, { authorization: `Bearer ${token}` });
    console.log(`  jwt ${alg.padEnd(12)} p50 ${f(median(xs), 'µs')}  p99 ${f(pct(xs, 99), 'µs')}`);
  }
  server.close();
}

await main();
