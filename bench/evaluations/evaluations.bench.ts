// An experiment's engine at 1,000 items: `npm run bench -- evaluations [--items N] [--concurrency N]`.
// Needs PostgreSQL (a private database, migrated, dropped after) and nothing else: the judge asks the
// libs/testing OpenAI-compatible stub over real HTTP. Two parts, each what the orchestrator runs:
//  - the batch: an experiment's replay batch of N items (half starting at a recorded step) driven by
//    ReplayBatchRepository.advance + planAdvance, as the sweep does, at the experiment's concurrency;
//    each started run is stored ended at once, so what is measured is the engine's own bookkeeping per
//    item (start, compare, finish), not the version's planning or model time;
//  - the judge: LlmJudge over N distinct answers, then the same N again (an experiment re-run): the
//    model calls each pass made and the second pass's cache hit rate (every verdict kept by input).
// The tenant budget is a stand-in that never refuses (its Redis counters are not what is measured).
// Prints JSON.
import type { Actor, Evaluations } from '@switchboard/contracts';
import { Metrics, ReadinessRegistry, type Logger } from '@switchboard/observability';
import { createTestDatabase, startLlmStub } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { TenantBudget } from '../../apps/orchestrator/src/budget/tenant-budget.js';
import { LlmJudge } from '../../apps/orchestrator/src/evaluations/scorers/llm-judge.js';
import { LlmMetrics } from '../../apps/orchestrator/src/planning/llm/llm.metrics.js';
import { OpenAiLlmClient } from '../../apps/orchestrator/src/planning/llm/openai-llm.client.js';
import { PrismaService } from '../../apps/orchestrator/src/prisma/prisma.service.js';
import { planAdvance } from '../../apps/orchestrator/src/replay/batches/batch-plan.js';
import { ReplayBatchRepository } from '../../apps/orchestrator/src/replay/batches/replay-batch.repository.js';
import { median, percentile } from '../stats.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const ITEMS = arg('items', 1_000);
const CONCURRENCY = arg('concurrency', 8);
const actor: Actor = { userId: 'bench', role: 'admin', tenantId: 'bench' };
const round = (x: number): number => Math.round(x * 1000) / 1000;
const ignore = (): undefined => undefined;
const quiet = { info: ignore, warn: ignore, debug: ignore, error: ignore } as unknown as Logger;

async function batch(prisma: PrismaService) {
  const repo = new ReplayBatchRepository(prisma);
  const id = randomUUID();
  const items = Array.from({ length: ITEMS }, (_, i) => ({
    taskId: randomUUID(),
    ...(i % 2 ? { step: 2 } : {}),
  }));
  const t0 = performance.now();
  await repo.create(
    {
      id,
      actor,
      mode: 'fork',
      changes: { agent: { name: 'support', version: 2 } },
      concurrency: CONCURRENCY,
      correlationId: 'bench',
    },
    items,
  );
  const started = new Map<number, number>();
  const perItem: number[] = [];
  const runIds = new Map<number, string>();
  const runIdOf = (p: number): string => {
    const known = runIds.get(p);
    if (known) return known;
    const made = randomUUID();
    runIds.set(p, made);
    return made;
  };
  let sweeps = 0;
  for (;;) {
    sweeps++;
    const step = await repo.advance(id, planAdvance, runIdOf);
    const now = performance.now();
    // the items this pass finished: each item's time is from its start to the pass that ended it
    for (const p of await doneAmong(prisma, id, [...started.keys()])) {
      perItem.push(now - (started.get(p) as number));
      started.delete(p);
    }
    if (!step) break;
    // each run ends at once: the sweep's next pass records it and starts the next
    for (const item of step.started) {
      started.set(item.position, performance.now());
      await prisma.task.create({
        data: {
          id: runIdOf(item.position),
          tenantId: 'bench',
          userId: 'bench',
          role: 'admin',
          status: 'completed',
          text: 't',
          request: { task: 't' },
          correlationId: 'bench',
          result: '391',
        },
      });
    }
    const head = await prisma.replayBatch.findUnique({ where: { id }, select: { status: true } });
    if (head?.status === 'completed') break;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    items: ITEMS,
    concurrency: CONCURRENCY,
    sweeps,
    seconds: round(seconds),
    itemsPerSecond: round(ITEMS / seconds),
    medianPerItemMs: round(median(perItem)),
    p95PerItemMs: round(percentile(perItem, 95)),
  };
}

async function doneAmong(prisma: PrismaService, batchId: string, positions: number[]) {
  const rows = await prisma.replayBatchItem.findMany({
    where: { batchId, status: 'done', position: { in: positions } },
    select: { position: true },
  });
  return rows.map((r) => r.position);
}

async function judge(prisma: PrismaService) {
  const llm = await startLlmStub();
  llm.script(
    () => true,
    Array.from({ length: ITEMS * 2 }, () => ({
      content: '{"score": 0.8, "reason": "correct and brief"}',
      usage: { prompt: 120, completion: 12 },
    })),
  );
  const client = new OpenAiLlmClient(
    {
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: llm.baseUrl,
      LLM_TIMEOUT_MS: 30_000,
      LLM_MAX_RETRIES: 0,
      LLM_STREAM: false,
      LLM_STREAM_IDLE_MS: 30_000,
      LLM_MAX_TOKENS_PARAM: 'max_tokens',
    } as never,
    new LlmMetrics(new Metrics('orchestrator', 'bench')),
    quiet,
  );
  const budget = { refusal: async () => undefined, charge: async () => undefined };
  const sut = new LlmJudge(client, prisma, budget as unknown as TenantBudget, {
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: llm.baseUrl,
    LLM_MODEL: 'judge-model',
  });
  const spec: Extract<Evaluations.ScorerSpec, { kind: 'judge' }> = {
    kind: 'judge',
    rubric: 'Is the answer correct and brief?',
  };
  const pass = async () => {
    const before = llm.requests.length;
    const times: number[] = [];
    let cached = 0;
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ITEMS; i = next++) {
        const t = performance.now();
        const s = await sut.score(
          spec,
          { task: `what is ${i} * 23`, answer: `${i * 23}` },
          actor,
          randomUUID(),
        );
        times.push(performance.now() - t);
        if (s.cached) cached++;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - t0) / 1000;
    return {
      modelCalls: llm.requests.length - before,
      cacheHitRate: round(cached / ITEMS),
      itemsPerSecond: round(ITEMS / seconds),
      medianPerItemMs: round(median(times)),
    };
  };
  try {
    const first = await pass();
    const rerun = await pass();
    return { items: ITEMS, concurrency: CONCURRENCY, first, rerun };
  } finally {
    await llm.stop();
  }
}

const db = await createTestDatabase('bench_evaluations', 'orchestrator');
const prisma = new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry());
await prisma.$connect();
try {
  const results = { batch: await batch(prisma), judge: await judge(prisma) };
  console.log(JSON.stringify(results, null, 2));
} finally {
  await prisma.$disconnect();
  await db.drop();
}
