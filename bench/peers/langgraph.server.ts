// The demo task with LangGraph JS, as its documentation builds it: a StateGraph (planner → calculate →
// save_note → respond; each node does its work itself, the note being an INSERT into the app's own
// table, and returns its update to the zod-typed state), compiled with the PostgresSaver checkpointer
// (every step checkpointed, LangGraph's default "async" durability: a step's checkpoint is written
// while the next runs and the run ends only once all are stored), one thread per task, and the
// graph's own SSE encoding of its `tasks` stream (a start and a result event per node) sent as is.
//   DATABASE_URL=postgresql://… PORT=… node langgraph.server.js
import { END, START, StateGraph, StateSchema } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import { z } from 'zod';
import { demoAnswer, evaluateArithmetic, planDemoTask } from './demo-planner.js';
import { createNotesTable, insertNote } from './notes-table.js';
import { type PeerTask, servePeer } from './peer-http.js';

const env = z
  .object({
    DATABASE_URL: z.string().url(),
    PORT: z.coerce.number().int().min(0).max(65_535),
    HOST: z.string().default('127.0.0.1'),
  })
  .parse(process.env);

const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
const checkpointer = new PostgresSaver(pool);
await checkpointer.setup();
await createNotesTable(pool);

const DemoState = new StateSchema({
  task: z.string(),
  userId: z.string(),
  plan: z.object({ expression: z.string(), saveNote: z.boolean() }).optional(),
  result: z.number().optional(),
  note: z.object({ id: z.string(), content: z.string() }).optional(),
  answer: z.string().optional(),
});
type State = typeof DemoState.State;

const planOf = (state: State) => {
  if (!state.plan) throw new Error('no plan in the state');
  return state.plan;
};

const graph = new StateGraph(DemoState)
  .addNode('planner', (state: State) => ({ plan: planDemoTask(state.task) }))
  .addNode('calculate', (state: State) => ({
    result: evaluateArithmetic(planOf(state).expression),
  }))
  .addNode('save_note', async (state: State) => {
    if (!planOf(state).saveNote) return {};
    const content = String(state.result);
    return { note: await insertNote(pool, state.userId, content) };
  })
  .addNode('respond', (state: State) => ({
    answer: demoAnswer(planOf(state), state.result ?? NaN, state.note),
  }))
  .addEdge(START, 'planner')
  .addEdge('planner', 'calculate')
  .addEdge('calculate', 'save_note')
  .addEdge('save_note', 'respond')
  .addEdge('respond', END)
  .compile({ checkpointer });

async function run({ taskId, task, userId, signal, write }: PeerTask): Promise<void> {
  const stream = await graph.stream(
    { task, userId },
    {
      configurable: { thread_id: taskId },
      streamMode: 'tasks',
      encoding: 'text/event-stream',
      signal,
    },
  );
  const decoder = new TextDecoder();
  for await (const chunk of stream) write(decoder.decode(chunk, { stream: true }));
}

const server = await servePeer({ host: env.HOST, port: env.PORT, run });
const shutdown = () => server.close(() => void pool.end());
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
