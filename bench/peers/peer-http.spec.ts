import { collectSse } from '@switchboard/testing';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { type PeerTask, servePeer, sseFrame } from './peer-http.js';

// The peers' HTTP edge on a real listening server, with a stand-in for the framework's run.
describe('servePeer', () => {
  let server: Server;
  let url: string;
  const runs: PeerTask[] = [];
  let behaviour: (task: PeerTask) => Promise<void>;

  beforeAll(async () => {
    server = await servePeer({
      host: '127.0.0.1',
      port: 0,
      run: (task) => {
        runs.push(task);
        return behaviour(task);
      },
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  beforeEach(() => {
    runs.length = 0;
    behaviour = ({ write }) => {
      write(sseFrame('step', { n: 1 }));
      write(sseFrame('done', { answer: 'ok' }));
      return Promise.resolve();
    };
  });

  const post = (body: string, headers: Record<string, string> = { 'x-user-id': 'u1' }) =>
    fetch(`${url}/orchestrate/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it("streams the run's frames as SSE, one run per task with its own id and the caller's user", async () => {
    const response = await post(JSON.stringify({ task: 'what is 1 + 1' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = await collectSse(response);
    expect(events.map((e) => [e.event, JSON.parse(e.data) as unknown])).toEqual([
      ['step', { n: 1 }],
      ['done', { answer: 'ok' }],
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ task: 'what is 1 + 1', userId: 'u1' });
    expect(response.headers.get('x-task-id')).toBe(runs[0]?.taskId);
  });

  it('ends the stream with an error event when the run fails', async () => {
    behaviour = () => Promise.reject(new Error('the plan failed'));
    const events = await collectSse(await post(JSON.stringify({ task: 'x' })));
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ['error', JSON.stringify({ message: 'the plan failed' })],
    ]);
  });

  it.each([
    ['no JSON', 'task=1', {}, 400, 'body: not valid JSON'],
    ['no task', '{}', {}, 400, 'task: '],
    ['an empty task', '{"task":"  "}', {}, 400, 'task: '],
    ['an unknown field', '{"task":"x","tool_constraints":{}}', {}, 400, 'tool_constraints'],
    ['no user', '{"task":"x"}', { 'x-user-id': '' }, 400, 'x-user-id: a user id is required'],
    ['a body over 64 KiB', JSON.stringify({ task: 'x'.repeat(70_000) }), {}, 413, 'body: over'],
  ])(
    'refuses %s with a clear error and starts no run',
    async (_case, body, headers, status, message) => {
      const response = await post(body, { 'x-user-id': 'u1', ...headers });
      expect(response.status).toBe(status);
      const error = (await response.json()) as { code: string; message: string };
      expect(error.message).toContain(message);
      expect(runs).toHaveLength(0);
    },
  );

  it('answers /health, and 404 elsewhere', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const missing = await fetch(`${url}/tasks`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /tasks' });
  });
});
