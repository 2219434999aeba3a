// The demo task with Mastra, as its documentation builds it: a workflow of steps (plan → calculate →
// save-note → respond; each step validates its input and output with its zod schemas and does its
// work itself, the note being an INSERT into the app's own table), registered on a Mastra instance with
// @mastra/pg's PostgresStore (the run's snapshot persisted at every step), one run per task, and the
// run's `fullStream` written as SSE (one event per chunk: workflow and step start/result/finish).
// Mastra's anonymous usage telemetry is off (MASTRA_TELEMETRY_DISABLED=1, set by the bench).
//   DATABASE_URL=postgresql://… PORT=… node mastra.server.js
import { Mastra } from '@mastra/core/mastra';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { PostgresStore } from '@mastra/pg';
import pg from 'pg';
import { z } from 'zod';
import { demoAnswer, evaluateArithmetic, planDemoTask } from './demo-planner.js';
import { createNotesTable, insertNote } from './notes-table.js';
import { type PeerTask, servePeer, sseFrame } from './peer-http.js';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    PORT: z.coerce.number().int().min(0).max(65_535),
    HOST: z.string().default('127.0.0.1'),
  })
  .parse(process.env);

// One pool for Mastra's storage and the save-note step (the documentation's "pool reuse" form).
const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
await createNotesTable(pool);

const Note = z.object({ id: z.string(), content: z.string() });

const Input = z.object({ task: z.string(), userId: z.string() });
const Plan = z.object({ expression: z.string(), saveNote: z.boolean() });

const plan = createStep({
  id: 'plan',
  inputSchema: Input,
  outputSchema: Plan,
  execute: ({ inputData }) => Promise.resolve(planDemoTask(inputData.task)),
});

const calculate = createStep({
  id: 'calculate',
  inputSchema: Plan,
  outputSchema: z.object({ result: z.number() }),
  execute: ({ inputData }) => Promise.resolve({ result: evaluateArithmetic(inputData.expression) }),
});

const saveNoteStep = createStep({
  id: 'save-note',
  inputSchema: z.object({ result: z.number() }),
  outputSchema: z.object({ note: Note.optional() }),
  execute: async ({ inputData, getInitData, getStepResult }) => {
    if (!getStepResult<z.infer<typeof Plan>>('plan').saveNote) return {};
    const { userId } = getInitData<z.infer<typeof Input>>();
    const content = String(inputData.result);
    return { note: await insertNote(pool, userId, content) };
  },
});

const respond = createStep({
  id: 'respond',
  inputSchema: z.object({ note: Note.optional() }),
  outputSchema: z.object({ answer: z.string() }),
  execute: ({ inputData, getStepResult }) => {
    const { result } = getStepResult<{ result: number }>('calculate');
    const answer = demoAnswer(getStepResult('plan'), result, inputData.note);
    return Promise.resolve({ answer });
  },
});

const demoWorkflow = createWorkflow({
  id: 'demo-task',
  inputSchema: Input,
  outputSchema: z.object({ answer: z.string() }),
})
  .then(plan)
  .then(calculate)
  .then(saveNoteStep)
  .then(respond)
  .commit();

const mastra = new Mastra({
  workflows: { demoWorkflow },
  storage: new PostgresStore({ id: 'bench-peers', pool }),
});
const workflow = mastra.getWorkflow('demoWorkflow');

async function run({ taskId, task, userId, signal, write }: PeerTask): Promise<void> {
  const started = await workflow.createRun({ runId: taskId, resourceId: userId });
  signal.addEventListener('abort', () => void started.cancel(), { once: true });
  const output = started.stream({ inputData: { task, userId } });
  for await (const chunk of output.fullStream) write(sseFrame(chunk.type, chunk));
  const result = await output.result;
  if (result.status === 'failed') throw result.error;
  if (result.status !== 'success') throw new Error(`the run ended ${result.status}`);
}

const server = await servePeer({ host: env.HOST, port: env.PORT, run });
const shutdown = () => server.close(() => void pool.end());
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
