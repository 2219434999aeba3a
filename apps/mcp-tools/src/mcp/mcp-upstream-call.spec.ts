import { describe, expect, it } from '@jest/globals';
import { InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer as LegacyServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { inputRequired, Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { type DomainError, Tools } from '@switchboard/contracts';
import { approvalArgsHash } from '@switchboard/runtime';
import { z } from 'zod';
import { newClient } from './mcp-client.factory.js';
import { callUpstream } from './mcp-upstream-call.js';

/** What the in-memory 2026-07-28 server was sent. */
interface Seen {
  calls: { name: string; responses?: unknown; state?: unknown }[];
  gets: number;
  cancelled: string[];
}

const TaskRef = z.object({ taskId: z.string() }).passthrough();
/** Resolves once `condition` holds (checked every few ms): what the server was sent, not a clock. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

/** A server of revision 2026-07-28 (the v2 server package): `plain`, `confirm` (asks), `job` (a task). */
/** The server's job: done or not; whether its task asks a question first, and what it was answered. */
interface Job {
  done: boolean;
  asks?: boolean;
  answered?: unknown;
}

const OK_FORM = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
} as never;

function modernServer(seen: Seen, job: Job): Server {
  const server = new Server(
    { name: 'modern', version: '2.0.0' },
    { capabilities: { tools: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } } },
  );
  server.setRequestHandler('tools/list', () => ({ tools: [] }));
  server.setRequestHandler('tools/call', (req, ctx) => {
    const responses = ctx.mcpReq.inputResponses;
    seen.calls.push({
      name: req.params.name,
      ...(responses ? { responses, state: ctx.mcpReq.requestState<string>() } : {}),
    });
    if (req.params.name === 'confirm' && !responses)
      return inputRequired({
        inputRequests: {
          ok: inputRequired.elicit({ message: 'Go ahead?', requestedSchema: OK_FORM }),
        },
        requestState: 'state-1',
      });
    if (req.params.name === 'job')
      return {
        ...text('started'),
        task: { taskId: 't1', status: 'working', pollInterval: 1 },
      } as never;
    return text(`${req.params.name} done`);
  });
  server.setRequestHandler('tasks/get', { params: TaskRef }, (p) => {
    seen.gets++;
    if (job.asks && job.answered === undefined)
      return {
        taskId: p.taskId,
        status: 'input_required',
        inputRequests: {
          ok: {
            method: 'elicitation/create',
            params: { mode: 'form', message: 'Go on with the job?', requestedSchema: OK_FORM },
          },
        },
      } as never;
    return (
      job.done || job.answered !== undefined
        ? { taskId: p.taskId, status: 'completed', result: text('job finished') }
        : { taskId: p.taskId, status: 'working', pollInterval: 1 }
    ) as never;
  });
  // The SDK lifts `inputResponses` out of the params (as on a retried call): read there too.
  server.setRequestHandler('tasks/update', { params: TaskRef }, (p, ctx) => {
    job.answered = (p as { inputResponses?: unknown }).inputResponses ?? ctx.mcpReq.inputResponses;
    return { taskId: p.taskId, status: 'working' } as never;
  });
  server.setRequestHandler('tasks/cancel', { params: TaskRef }, (p) => {
    seen.cancelled.push(p.taskId);
    return { taskId: p.taskId, status: 'cancelled' } as never;
  });
  return server;
}

/** A client connected in memory to a 2026-07-28-only server (the v2 entry, as over stdio). */
async function toModern(seen: Seen, job: Job) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  serveStdio(() => modernServer(seen, job), { transport: serverSide as never, legacy: 'reject' });
  const client = newClient('1.0.0-test');
  await client.connect(clientSide);
  return client;
}

/** A client connected in memory to a 1.x SDK server (2025-11-25 only). */
async function toLegacy(server: LegacyServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide as never);
  const client = newClient('1.0.0-test');
  await client.connect(clientSide);
  return client;
}

const call = (
  tool: string,
  extra: { signal?: AbortSignal; answer?: Tools.ToolCallAnswer } = {},
) => ({
  server: 'modern',
  tool,
  args: {},
  signal: extra.signal ?? new AbortController().signal,
  timeoutMs: 5_000,
  ...(extra.answer ? { answer: extra.answer } : {}),
});

describe('mcp-tools as an MCP client of both revisions (v2 client, in-memory servers)', () => {
  it('speaks 2026-07-28 to a server that answers server/discover', async () => {
    const seen: Seen = { calls: [], gets: 0, cancelled: [] };
    const client = await toModern(seen, { done: true });
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    await expect(callUpstream(client, call('plain'))).resolves.toMatchObject(text('plain done'));
    await client.close();
  });

  it('falls back to the 2025-11-25 handshake for a 1.x server', async () => {
    const legacy = new LegacyServer({ name: 'legacy', version: '1.0.0' });
    legacy.registerTool('plain', { description: 'plain' }, () => text('legacy done'));
    const client = await toLegacy(legacy);
    expect(client.getProtocolEra()).toBe('legacy');
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    await expect(callUpstream(client, call('plain'))).resolves.toMatchObject(text('legacy done'));
    await client.close();
  });

  it('hands input_required back as a question, and calls again with the answer and the state unchanged', async () => {
    const seen: Seen = { calls: [], gets: 0, cancelled: [] };
    const client = await toModern(seen, { done: true });
    const asked = (await callUpstream(client, call('confirm')).catch(
      (e: unknown) => e,
    )) as DomainError;
    expect(asked.code).toBe('FORBIDDEN');
    const question = Tools.toolInputRequiredOf(asked.details);
    expect(question).toMatchObject({
      question: 'Go ahead?',
      input: { responses: { ok: { ok: true } }, requestState: 'state-1' },
    });
    const input = question!.input;
    const result = await callUpstream(
      client,
      call('confirm', {
        answer: {
          approvalId: '00000000-0000-4000-8000-000000000001',
          argsHash: approvalArgsHash('confirm', input),
          input,
          requestState: 'state-1',
        },
      }),
    );
    expect(result).toMatchObject(text('confirm done'));
    expect(seen.calls).toEqual([
      { name: 'confirm' },
      {
        name: 'confirm',
        responses: { ok: { action: 'accept', content: { ok: true } } },
        state: 'state-1',
      },
    ]);
    await client.close();
  });

  it('follows a call the server made a task to its result', async () => {
    const seen: Seen = { calls: [], gets: 0, cancelled: [] };
    const job = { done: false };
    const client = await toModern(seen, job);
    const pending = callUpstream(client, call('job'));
    await until(() => seen.gets >= 2);
    job.done = true;
    await expect(pending).resolves.toMatchObject(text('job finished'));
    expect(seen.cancelled).toEqual([]);
    await client.close();
  });

  it('cancels the task at the server when the call is aborted', async () => {
    const seen: Seen = { calls: [], gets: 0, cancelled: [] };
    const client = await toModern(seen, { done: false });
    const abort = new AbortController();
    const pending = callUpstream(client, call('job', { signal: abort.signal })).catch((e) => e);
    await until(() => seen.gets >= 1);
    abort.abort(new Error('the task was cancelled'));
    // The caller's abort ends the call here at once (mcp-upstream maps it to the task's reason)…
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // …and the server hears of it.
    await until(() => seen.cancelled.length > 0);
    expect(seen.cancelled).toEqual(['t1']);
    await client.close();
  });

  it('asks the question of a task that waits for input, and answers it with tasks/update', async () => {
    const seen: Seen = { calls: [], gets: 0, cancelled: [] };
    const job: Job = { done: false, asks: true };
    const client = await toModern(seen, job);
    const asked = (await callUpstream(client, call('job')).catch((e: unknown) => e)) as DomainError;
    const question = Tools.toolInputRequiredOf(asked.details);
    expect(question).toMatchObject({
      question: 'Go on with the job?',
      input: { responses: { ok: { ok: true } }, upstreamTaskId: 't1' },
    });
    const input = question!.input;
    const result = await callUpstream(
      client,
      call('job', {
        answer: {
          approvalId: '00000000-0000-4000-8000-000000000001',
          argsHash: approvalArgsHash('job', input),
          input,
          upstreamTaskId: 't1',
        },
      }),
    );
    expect(result).toMatchObject(text('job finished'));
    expect(job.answered).toEqual({ ok: { action: 'accept', content: { ok: true } } });
    // Answered on the task: the tool was not called a second time.
    expect(seen.calls.map((c) => c.name)).toEqual(['job']);
    await client.close();
  });

  it("answers a 1.x server's own elicitation request during a call with cancel: nobody can answer it here", async () => {
    const legacy = new LegacyServer({ name: 'legacy', version: '1.0.0' });
    const heard: unknown[] = [];
    legacy.registerTool('ask', { description: 'asks during the call' }, async () => {
      heard.push(
        await legacy.server.elicitInput({
          mode: 'form',
          message: 'Sure?',
          requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
        }),
      );
      return text('asked');
    });
    const client = await toLegacy(legacy);
    await expect(callUpstream(client, call('ask'))).resolves.toMatchObject(text('asked'));
    expect(heard).toEqual([{ action: 'cancel' }]);
    await client.close();
  });
});
