// Core benchmark (issue: foundation). Run against a running stack (`npm run up`):
//   npx tsx --tsconfig tsconfig.base.json bench/core/core.bench.ts [--gateway URL] [--nats URL] [--quick]
// Measures in one run, on the same NATS: the raw NATS request/reply floor, one messaging-library hop
// (NatsBus → Nest @HandleCommand handler → validated reply), and the demo task end to end through the
// gateway (sequential p50/p99, then throughput with 64 tasks in flight). Prints figures and ratios.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect } from '@nats-io/transport-node';
import { defineCommand } from '@switchboard/contracts';
import { HandleCommand, MessagingModule, natsServerOptions } from '@switchboard/messaging';
import {
  createLogger,
  initTracing,
  Metrics,
  ObservabilityModule,
} from '@switchboard/observability';
import { createBusClient } from '@switchboard/testing';
import { createParser } from 'eventsource-parser';
import { cpus, totalmem } from 'node:os';
import { z } from 'zod';

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
const DEMO = 'what is 17 * 23, then save the result as a note';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
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
  console.log(`${label.padEnd(34)} p50 ${ms(pct(times, 50))}  p99 ${ms(pct(times, 99))}  (n=${n})`);
  return times;
}

// Every task from its own user, as many users would send them: per-user limits (rate, open streams)
// are the gateway's business, not what this measures.
const runId = Date.now().toString(36);
let taskNo = 0;

async function demoTask(): Promise<void> {
  const r = await fetch(`${gateway}/orchestrate/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': `bench-${runId}-${taskNo++}` },
    body: JSON.stringify({ task: DEMO }),
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
  const raw = await measure('raw NATS request/reply (floor)', N, () =>
    nc.request('sb.bench.raw', payload, { timeout: 5_000 }),
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
  const hop = await measure('messaging-library hop', N, () =>
    client.bus.request(Echo, { text: 'hello' }, { actor }),
  );

  // The demo task through the running stack.
  let seq: number[] = [];
  let throughput = NaN;
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
  } catch (e) {
    console.log(
      `demo task: skipped, the stack is not answering at ${gateway} (${(e as Error).message}); run \`npm run up\` first`,
    );
  }

  console.log('\nratios to the raw NATS floor (p50):');
  console.log(`  messaging hop   ${(pct(hop, 50) / pct(raw, 50)).toFixed(2)}×   (target ≤ 1.30×)`);
  if (seq.length) {
    console.log(
      `  demo task       ${(pct(seq, 50) / pct(raw, 50)).toFixed(1)}×   (p50 ${ms(pct(seq, 50))}; target ≤ 10 ms)`,
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
