// The demo task with Restate, as its documentation builds it: a workflow (`restate.workflow`, one
// workflow id per task) whose handler journals the calculation and the note's INSERT each in a
// `ctx.run` (the server's log fsynced per entry, its default), served by the SDK's endpoint and
// registered with a restate-server (restate.system.ts starts it). The app's HTTP edge (peer-http.ts,
// the same one the other peers use) invokes the workflow through the server's ingress
// (`POST /demo/{id}/run`, what `curl` and the typed clients send), waits for its result and writes it as
// one SSE event: Restate streams no progress events of its own.
//   DATABASE_URL=postgresql://… PORT=… SERVICE_PORT=… INGRESS_URL=http://… node restate.server.js
import * as restate from '@restatedev/restate-sdk';
import pg from 'pg';
import { z } from 'zod';
import { demoAnswer, evaluateArithmetic, planDemoTask } from './demo-planner.js';
import { createNotesTable, insertNote } from './notes-table.js';
import { type PeerTask, servePeer, sseFrame } from './peer-http.js';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    PORT: z.coerce.number().int().min(0).max(65_535),
    SERVICE_PORT: z.coerce.number().int().min(1).max(65_535),
    INGRESS_URL: z.string().url(),
    HOST: z.string().default('127.0.0.1'),
  })
  .parse(process.env);

const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
await createNotesTable(pool);

interface DemoInput {
  task: string;
  userId: string;
}

const demo = restate.workflow({
  name: 'demo',
  handlers: {
    run: async (ctx: restate.WorkflowContext, { task, userId }: DemoInput) => {
      // Planning is deterministic (the same on a replay), so it needs no journal entry.
      const plan = planDemoTask(task);
      const result = await ctx.run('calculate', () => evaluateArithmetic(plan.expression));
      const note = plan.saveNote
        ? await ctx.run('save-note', () => insertNote(pool, userId, String(result)))
        : undefined;
      return { answer: demoAnswer(plan, result, note) };
    },
  },
});

await restate.endpoint().bind(demo).listen(env.SERVICE_PORT);

async function run({ taskId, task, userId, signal, write }: PeerTask): Promise<void> {
  const response = await fetch(`${env.INGRESS_URL}/demo/${taskId}/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task, userId }),
    signal,
  });
  const body = (await response.json()) as { answer?: string; message?: string };
  if (!response.ok) throw new Error(`restate ingress ${response.status}: ${body.message ?? ''}`);
  write(sseFrame('result', body));
}

const server = await servePeer({ host: env.HOST, port: env.PORT, run });
const shutdown = () => server.close(() => void pool.end().finally(() => process.exit(0)));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
