import { readSse, type SseEvent } from '@switchboard/testing';
import pg from 'pg';

/**
 * Holds every notes.add in mcp-tools (an exclusive lock on its table) until released: the demo task's
 * second step cannot finish, so a test can act while the task is between its steps.
 */
export async function lockNotes(url: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE "Note" IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Reads named events until `stop` holds for one, then drops the connection (the client goes away). */
export async function readUntil(
  response: Response,
  stop: (e: SseEvent) => boolean,
): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const e of readSse(response)) {
    seen.push(e);
    if (stop(e)) break; // leaving the loop cancels the body: the client goes away
  }
  return seen;
}
