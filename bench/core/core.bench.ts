// Core benchmark (issue: foundation). Run against a running stack (`npm run up`):
//   npx tsx --tsconfig tsconfig.base.json bench/core/core.bench.ts [--gateway URL] [--nats URL] [--quick] [--cpu]
// Measures in one run, on the same NATS: the raw NATS request/reply floor, one messaging-library hop
// (NatsBus → Nest @HandleCommand handler → validated reply), and the demo task end to end through the
// gateway (sequential p50/p99, then throughput with 64 tasks in flight). Prints figures and ratios.
// --cpu: then 100 more sequential demo tasks, with the CPU each of the stack's processes spent on them.
// --breakdown: the hop taken apart, layer by layer, in interleaved blocks (see breakdown()).
// --hop-only: the floor and the hop (and --breakdown) only; no demo tasks, no stack needed but NATS.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect } from '@nats-io/transport-node';
import { defineCommand } from '@switchboard/contracts';
import {
  buildHeaders,
  decodeJson,
  encodeJson,
  HandleCommand,
  MessagingModule,
  natsServerOptions,
  type NatsBus,
  readMeta,
} from '@switchboard/messaging';
import { NatsContext } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  createLogger,
  initTracing,
  Metrics,
  ObservabilityModule,
} from '@switchboard/observability';
import { createBusClient, DEMO_TASK } from '@switchboard/testing';
import { createParser } from 'eventsource-parser';
import { cpus, totalmem } from 'node:os';
import { cpuDelta, cpuSnapshot, findStackProcesses } from './process-cpu.js';
import { z } from 'zod';
import { percentile } from '../stats.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
};
const quick = process.argv.includes('--quick');
const gateway = arg('gateway', process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:3000');
const natsUrl = arg('nats', process.env['NATS_SERVERS'] ?? 'nats://127.0.0.1:4222');
const N = quick ? 300 : 3_000;
const TASKS_SEQ = quick ? 50 : 300;
const TASKS_PAR = quick ? 320 : 2_000;

const ms = (x: number) => `${x.toFixed(3)} ms`;

const Echo = defineCommand({
  subject: 'sb.cmd.bench.echo',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ text: z.string() }),
  response: z.object({ text: z.string() }),
  timeoutMs: 5_000,
  description: 'benchmark echo',
});

@Controller()
class EchoHandler {
  @HandleCommand(Echo)
  echo(input: { text: string }) {
    return input;
  }
}

async function measure(label: string, n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n / 5); i++) await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  console.log(
    `${label.padEnd(34)} p50 ${ms(percentile(times, 50))}  p99 ${ms(percentile(times, 99))}  (n=${n})`,
  );
  return times;
}

/**
 * Two request/reply loops measured in alternating blocks, so that a noisy neighbour or a CPU frequency
 * change on this shared machine lands on both alike instead of on whichever ran second.
 */
async function measurePair(
  a: { label: string; fn: () => Promise<unknown> },
  b: { label: string; fn: () => Promise<unknown> },
  n: number,
): Promise<[number[], number[]]> {
  const blocks = 10;
  const timed = async (fn: () => Promise<unknown>, into: number[], count: number) => {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await fn();
      into.push(performance.now() - t);
    }
  };
  // warm-up
  for (let i = 0; i < Math.min(200, n / 5); i++) {
    await a.fn();
    await b.fn();
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let block = 0; block < blocks; block++) {
    await timed(a.fn, ta, n / blocks);
    await timed(b.fn, tb, n / blocks);
  }
  for (const [label, times] of [
    [a.label, ta],
    [b.label, tb],
  ] as const) {
    console.log(
      `${label.padEnd(34)} p50 ${ms(percentile(times, 50))}  p99 ${ms(percentile(times, 99))}  (n=${times.length}, interleaved)`,
    );
  }
  return [ta, tb];
}

// Every task from its own user, as many users would send them: per-user limits (rate, open streams)
// are the gateway's business, not what this measures.
const runId = Date.now().toString(36);
let taskNo = 0;

async function demoTask(): Promise<void> {
  const r = await fetch(`${gateway}/orchestrate/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': `bench-${runId}-${taskNo++}` },
    body: JSON.stringify({ task: DEMO_TASK }),
  });
  if (r.status !== 200 || !r.body) throw new Error(`gateway answered ${r.status}`);
  let done = false;
  const parser = createParser({
    onEvent: (e) => (done ||= e.event === 'orchestrator.task.completed'),
  });
  const decoder = new TextDecoder();
  for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>)
    parser.feed(decoder.decode(chunk, { stream: true }));
  if (!done) throw new Error('task did not complete');
}

/** Waits until no process of the stack used more than 5 % of a core in the last second. */
async function quietSnapshot(runDir: string): Promise<Map<number, number>> {
  let last = cpuSnapshot(findStackProcesses(runDir));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = cpuSnapshot(findStackProcesses(runDir));
    const busy = [...now].some(([pid, ms]) => ms - (last.get(pid) ?? 0) > 50);
    last = now;
    if (!busy) return now;
  }
}

/**
 * CPU per sequential demo task, per process of the stack. The audit trail and task logs are written
 * asynchronously (batched), so the count starts and ends when everything has gone quiet.
 */
async function cpuPerTask(): Promise<void> {
  const TASKS = 100;
  const runDir = arg('run-dir', '.run');
  const before = await quietSnapshot(runDir);
  for (let i = 0; i < TASKS; i++) await demoTask();
  const after = await quietSnapshot(runDir);
  const rows = cpuDelta(findStackProcesses(runDir), before, after);
  console.log(`\nCPU per sequential demo task (n=${TASKS}; user + system, /proc):`);
  for (const [group, ms] of rows)
    console.log(`  ${group.padEnd(34)} ${(ms / TASKS).toFixed(1).padStart(6)} ms`);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  ${'total'.padEnd(34)} ${(total / TASKS).toFixed(1).padStart(6)} ms`);
}

/**
 * Where the hop's time over the floor goes: the same request/reply with one layer added at a time,
 * all measured in alternating blocks. Responders run on their own connection, as a service's would.
 */
async function breakdown(
  natsUrl: string,
  bus: NatsBus,
  raw: () => Promise<unknown>,
  hop: () => Promise<unknown>,
  actor: { userId: string; role: string },
): Promise<void> {
  const responder: NatsConnection = await connect({ servers: natsUrl, noAsyncTraces: true });
  const payload = encodeJson({ pattern: 'x', data: { text: 'hello' }, id: 'x' });
  // A responder that does nothing but send a fixed, valid reply: what the client side alone costs.
  const canned = encodeJson({ response: { text: 'hello' }, id: 'x', isDisposed: true });
  responder.subscribe('sb.bench.canned', {
    queue: 'bench',
    callback: (_e, m) => {
      m.respond(canned);
    },
  });
  // What a command server does for one request, minus Nest and minus the @HandleCommand wrapper.
  responder.subscribe('sb.bench.bare', {
    queue: 'bench',
    callback: (_e, m) => {
      const packet = decodeJson(m.data) as { data: unknown; id: string };
      readMeta(m.subject, m.headers);
      const input = Echo.request.parse(packet.data);
      const response = Echo.response.parse(input);
      m.respond(encodeJson({ response, id: packet.id, isDisposed: true }));
    },
  });
  // The @HandleCommand method itself (validation, context, metrics), called without Nest.
  const handler = new EchoHandler();
  const wrapped = EchoHandler.prototype.echo as unknown as (
    data: unknown,
    ctx: NatsContext,
  ) => Promise<unknown>;
  responder.subscribe('sb.bench.wrapped', {
    queue: 'bench',
    callback: (_e, m) => {
      const packet = decodeJson(m.data) as { data: unknown; id: string };
      void wrapped
        .call(handler, packet.data, new NatsContext([m.subject, m.headers]))
        .then((response) => m.respond(encodeJson({ response, id: packet.id, isDisposed: true })));
    },
  });
  await responder.flush();
  const layers: [string, () => Promise<unknown>][] = [
    ['raw NATS (floor)', raw],
    [
      '+ the library headers',
      () =>
        bus.connection.request('sb.bench.raw', payload, {
          timeout: 5_000,
          headers: buildHeaders('gateway', { actor }),
        }),
    ],
    [
      '+ NatsBus client, canned reply',
      () => bus.request({ ...Echo, subject: 'sb.bench.canned' }, { text: 'hello' }, { actor }),
    ],
    [
      '+ NatsBus client, bare responder',
      () => bus.request({ ...Echo, subject: 'sb.bench.bare' }, { text: 'hello' }, { actor }),
    ],
    [
      '+ the @HandleCommand wrapper',
      () => bus.request({ ...Echo, subject: 'sb.bench.wrapped' }, { text: 'hello' }, { actor }),
    ],
    ['+ Nest dispatch (the hop)', hop],
  ];
  const times: number[][] = layers.map(() => []);
  for (let i = 0; i < 300; i++) for (const [, fn] of layers) await fn(); // warm-up
  const blocks = quick ? 4 : 20;
  for (let block = 0; block < blocks; block++) {
    for (const [l, [, fn]] of layers.entries()) {
      for (let i = 0; i < 150; i++) {
        const t = performance.now();
        await fn();
        times[l]?.push(performance.now() - t);
      }
    }
  }
  const [floorTimes = []] = times;
  const floor = percentile(floorTimes, 50);
  console.log(`\nthe hop, layer by layer (p50, interleaved, n=${floorTimes.length} each):`);
  for (const [l, [label]] of layers.entries()) {
    const p50 = percentile(times[l] ?? [], 50);
    console.log(`  ${label.padEnd(34)} ${ms(p50)}  ${(p50 / floor).toFixed(2)}×`);
  }
  await responder.close();
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-tracing')) initTracing({ service: 'bench' });
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`NATS ${natsUrl}, gateway ${gateway}\n`);

  // Floor: raw NATS request/reply, responder on its own connection (as a service would be), same
  // payload size as the library's envelope.
  // Same client settings as the library's connections (no async stack traces), so the ratio measures
  // the library, not a connection option.
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const responder = await connect({ servers: natsUrl, noAsyncTraces: true });
  const sub = responder.subscribe('sb.bench.raw', {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  await responder.flush();
  const payload = new TextEncoder().encode(
    JSON.stringify({ pattern: 'x', data: { text: 'hello' }, id: 'x' }),
  );

  // One messaging-library hop: NatsBus.request → Nest NATS server → @HandleCommand → reply, both validated.
  const identity = {
    service: 'orchestrator' as const,
    instance: 'bench',
    version: 'bench',
    startedAt: Date.now(),
  };
  const logger = createLogger({
    service: 'bench',
    instance: 'bench',
    level: 'warn',
    pretty: false,
  });
  const messaging = {
    service: 'orchestrator' as const,
    instance: 'bench',
    nats: { servers: [natsUrl] },
  };
  @Module({
    imports: [
      ObservabilityModule.forRoot({ identity, logger, metrics: new Metrics('bench', 'bench') }),
      MessagingModule.forRoot(messaging),
    ],
    controllers: [EchoHandler],
  })
  class BenchServer {}
  const server = await NestFactory.createMicroservice(BenchServer, {
    ...natsServerOptions({ ...messaging, service: 'orchestrator' }),
    logger: false,
  });
  await server.listen();
  const client = await createBusClient(natsUrl, 'gateway');
  const actor = { userId: 'bench', role: 'user' };
  const [raw, hop] = await measurePair(
    {
      label: 'raw NATS request/reply (floor)',
      fn: () => nc.request('sb.bench.raw', payload, { timeout: 5_000 }),
    },
    {
      label: 'messaging-library hop',
      fn: () => client.bus.request(Echo, { text: 'hello' }, { actor }),
    },
    N,
  );

  if (process.argv.includes('--breakdown')) {
    await breakdown(
      natsUrl,
      client.bus,
      () => nc.request('sb.bench.raw', payload, { timeout: 5_000 }),
      () => client.bus.request(Echo, { text: 'hello' }, { actor }),
      actor,
    );
  }

  // The demo task through the running stack (not with --hop-only: then only NATS is needed).
  let seq: number[] = [];
  let throughput = NaN;
  if (!process.argv.includes('--hop-only'))
    try {
      seq = await measure('demo task, sequential', TASKS_SEQ, demoTask);
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < TASKS_PAR) {
            next++;
            await demoTask();
          }
        }),
      );
      throughput = TASKS_PAR / ((performance.now() - started) / 1000);
      console.log(
        `${'demo task, 64 in flight'.padEnd(34)} ${throughput.toFixed(0)} tasks/s  (n=${TASKS_PAR})`,
      );
      if (process.argv.includes('--cpu')) await cpuPerTask();
    } catch (e) {
      console.log(
        `demo task: skipped, the stack is not answering at ${gateway} (${(e as Error).message}); run \`npm run up\` first`,
      );
    }

  console.log('\nratios to the raw NATS floor (p50):');
  console.log(
    `  messaging hop   ${(percentile(hop, 50) / percentile(raw, 50)).toFixed(2)}×   (target ≤ 1.30×)`,
  );
  if (seq.length) {
    console.log(
      `  demo task       ${(percentile(seq, 50) / percentile(raw, 50)).toFixed(1)}×   (p50 ${ms(percentile(seq, 50))}; target ≤ 10 ms)`,
    );
    console.log(
      `  throughput      ${throughput.toFixed(0)} tasks/s at 64 in flight (target ≥ 300)`,
    );
  }
  sub.unsubscribe();
  await client.close();
  await server.close();
  await nc.close();
  await responder.close();
}

await main();
