import { AgentCard, Role, type Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import {
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import type {
  Message as LegacyMessage,
  MessageSendParams as LegacyMessageSendParams,
  Task as LegacyTask,
} from 'a2a-sdk-03';
import {
  type Client as LegacyClient,
  ClientFactory as LegacyClientFactory,
  ClientFactoryOptions as LegacyClientFactoryOptions,
  DefaultAgentCardResolver as LegacyAgentCardResolver,
  JsonRpcTransportFactory as LegacyJsonRpcTransportFactory,
} from 'a2a-sdk-03/client';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

// The platform as an A2A agent against real processes: gateway → orchestrator → mcp-tools (and a2a →
// a sample agent for the long-running task to cancel), driven by the official @a2a-js/sdk 1.3 client
// (A2A 1.0) and by the SDK's 0.3 release (`a2a-sdk-03`), a client as deployed before 1.0: it sends no
// A2A-Version header and reads the v0.3 card.
describe('the platform as an A2A agent (real processes, @a2a-js/sdk clients 1.3 and 0.3)', () => {
  let stack: Stack;
  let archivist: ServiceHandle;

  beforeAll(async () => {
    // A researcher slow enough to cancel mid-task (its pauses end early on CancelTask).
    archivist = await startService(
      'agent-archivist',
      {
        NODE_OPTIONS: '--import tsx',
        AGENT_KIND: 'researcher',
        AGENT_NAME: 'Archivist',
        AGENT_STEP_DELAY_MS: '600000',
      },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts') },
    );
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      env: { a2a: { A2A_AGENTS: `archivist=${archivist.url}` } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await archivist?.stop();
  });

  /** `fetch` acting as `user` (dev auth: X-User-Id on every request, the card fetch included). */
  const fetchAs =
    (user: string): typeof fetch =>
    (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-user-id', user);
      return fetch(input, { ...init, headers });
    };

  /** An SDK 1.3 (A2A 1.0) client acting as `user`. */
  async function clientFor(user: string): Promise<Client> {
    const fetchImpl = fetchAs(user);
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      }),
    );
    return factory.createFromUrl(stack.gatewayUrl);
  }

  const message = (text: string) => ({
    tenant: '',
    message: {
      messageId: randomUUID(),
      role: Role.ROLE_USER,
      contextId: '',
      taskId: '',
      parts: [
        {
          content: { $case: 'text' as const, value: text },
          mediaType: 'text/plain',
          filename: '',
          metadata: undefined,
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  });

  /** The task's state and status message, so a failure shows why. */
  const outcomeOf = (task: Task) => ({
    state: taskStateToJSON(task.status!.state),
    message: task.status?.message?.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join(''),
  });

  const textOf = (task: Task) =>
    task.artifacts
      .flatMap((a) => a.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')))
      .filter(Boolean)
      .join('\n');

  /** Archivist's counters, to compare before and after a test (tests share the one archivist). */
  const archivistStats = async () =>
    (await (await fetch(`${archivist.url}/stats`)).json()) as {
      executed: number;
      cancelled: string[];
      methods: Record<string, number>;
    };

  const bothInterfaces = () => [
    { url: `${stack.gatewayUrl}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    { url: `${stack.gatewayUrl}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
  ];

  it('serves a valid A2A 1.0 agent card listing 1.0 and 0.3, revalidatable with its ETag', async () => {
    const r = await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`, {
      headers: { 'a2a-version': '1.0' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('vary')).toMatch(/a2a-version/);
    const json = (await r.json()) as Record<string, unknown>;
    const card = AgentCard.fromJSON(json);
    expect(json['supportedInterfaces']).toEqual(bothInterfaces());
    expect(card).toMatchObject({
      name: 'Switchboard',
      capabilities: { streaming: true, pushNotifications: true, extendedAgentCard: true },
    });
    expect(card.skills.map((s) => s.id)).toEqual(['run-task']);
    expect(json['securitySchemes']).toEqual({
      devUser: {
        apiKeySecurityScheme: {
          location: 'header',
          name: 'X-User-Id',
          description: expect.any(String),
        },
      },
    });
    for (const field of [
      'name',
      'description',
      'supportedInterfaces',
      'version',
      'capabilities',
      'defaultInputModes',
      'defaultOutputModes',
      'skills',
    ]) {
      expect(json[field]).toBeDefined();
    }
    const again = await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`, {
      headers: { 'a2a-version': '1.0', 'if-none-match': r.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('serves the v0.3 card to a caller that sends no A2A-Version, with an ETag of its own', async () => {
    const r = await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`);
    expect(r.status).toBe(200);
    const json = (await r.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'Switchboard',
      protocolVersion: '0.3',
      url: `${stack.gatewayUrl}/a2a`,
      preferredTransport: 'JSONRPC',
      capabilities: { streaming: true, pushNotifications: true },
      supportsAuthenticatedExtendedCard: true,
      securitySchemes: { devUser: { type: 'apiKey', in: 'header', name: 'X-User-Id' } },
      security: [{ devUser: [] }],
      skills: [expect.objectContaining({ id: 'run-task' })],
    });
    expect(json['supportedInterfaces']).toEqual(bothInterfaces());
    const current = await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`, {
      headers: { 'a2a-version': '1.0' },
    });
    expect(current.headers.get('etag')).not.toBe(r.headers.get('etag'));
    const again = await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`, {
      headers: { 'if-none-match': r.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('runs a task with SendMessage and returns the answer as an artifact; GetTask reads it, for its owner only', async () => {
    const user = `a2a-${randomUUID()}`;
    const client = await clientFor(user);
    expect(client.protocolVersion).toBe('1.0');
    const result = (await client.sendMessage(message('what is 17 * 23'))) as Task;
    expect(outcomeOf(result)).toEqual({ state: 'TASK_STATE_COMPLETED', message: '17 * 23 = 391.' });
    expect(textOf(result)).toBe('17 * 23 = 391.');

    const got = await client.getTask({ tenant: '', id: result.id, historyLength: undefined });
    expect(got.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    // The same id is the platform's task: the HTTP API knows it too.
    const view = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${result.id}`, { headers: { 'x-user-id': user } })
    ).json()) as { status: string };
    expect(view.status).toBe('completed');

    // A task this gateway's A2A side never ran (submitted over HTTP) is read from the orchestrator.
    const viaHttp = (await (
      await fetch(`${stack.gatewayUrl}/orchestrate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ task: 'what is 6 * 7' }),
      })
    ).json()) as { task_id: string };
    const fromOrchestrator = await client.getTask({
      tenant: '',
      id: viaHttp.task_id,
      historyLength: undefined,
    });
    expect(outcomeOf(fromOrchestrator)).toEqual({
      state: 'TASK_STATE_COMPLETED',
      message: '6 * 7 = 42.',
    });
    expect(textOf(fromOrchestrator)).toBe('6 * 7 = 42.');

    const stranger = await clientFor(`someone-${randomUUID()}`);
    await expect(
      stranger.getTask({ tenant: '', id: result.id, historyLength: undefined }),
    ).rejects.toThrow(/not found/i);
    await expect(
      stranger.getTask({ tenant: '', id: viaHttp.task_id, historyLength: undefined }),
    ).rejects.toThrow(/not found/i);
  });

  it('streams a task with SendStreamingMessage: the task, progress, the answer, then COMPLETED', async () => {
    const client = await clientFor(`a2a-${randomUUID()}`);
    const events: string[] = [];
    let answer = '';
    for await (const ev of client.sendMessageStream(
      message('what is 2 + 2, then save the result as a note'),
    )) {
      const p = ev.payload;
      if (p?.$case === 'statusUpdate') {
        const text = p.value.status?.message?.parts
          .map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
          .join('');
        events.push(`status:${taskStateToJSON(p.value.status!.state)}`);
        if (p.value.status!.state === TaskState.TASK_STATE_FAILED) events.push(`failure:${text}`);
      } else if (p?.$case === 'artifactUpdate') {
        events.push('artifact');
        answer = p.value
          .artifact!.parts.map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
          .join('');
      } else events.push(p?.$case ?? 'empty');
    }
    expect(events[0]).toBe('task');
    expect(events.slice(-2)).toEqual(['artifact', 'status:TASK_STATE_COMPLETED']);
    expect(events.filter((e) => e === 'status:TASK_STATE_WORKING').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(answer).toMatch(/^2 \+ 2 = 4\. Saved note [0-9a-f-]+: "4"\.$/);
  });

  it('cancels a running task with CancelTask, down to the remote agent it delegated to', async () => {
    const client = await clientFor(`a2a-${randomUUID()}`);
    const before = await archivistStats();
    const started = (await client.sendMessage({
      ...message('ask the archivist about NATS JetStream'),
      configuration: {
        acceptedOutputModes: [],
        taskPushNotificationConfig: undefined,
        returnImmediately: true,
      },
    })) as Task;
    // Wait until the archivist is working on it (its task exists, so CancelTask can reach it).
    await waitFor(async () => (await archivistStats()).executed === before.executed + 1, {
      what: 'the archivist to start',
    });
    const cancelled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const stats = await waitFor(
      async () => {
        const s = await archivistStats();
        return s.cancelled.length === before.cancelled.length + 1 ? s : undefined;
      },
      { what: 'the archivist to cancel its task' },
    );
    expect(stats.methods['CancelTask']).toBe((before.methods['CancelTask'] ?? 0) + 1);
    expect(
      (await client.getTask({ tenant: '', id: started.id, historyLength: undefined })).status
        ?.state,
    ).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it('answers bad requests with JSON-RPC errors and unauthenticated ones with 401', async () => {
    const rpc = (body: unknown, headers: Record<string, string> = { 'a2a-version': '1.0' }) =>
      fetch(`${stack.gatewayUrl}/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const send = (parts: unknown[]) => ({
      jsonrpc: '2.0',
      id: 7,
      method: 'SendMessage',
      params: { message: { messageId: 'm1', role: 'ROLE_USER', parts } },
    });

    const noText = (await (await rpc(send([{ data: { x: 1 } }]))).json()) as {
      id: number;
      error: { code: number; message: string };
    };
    expect(noText).toMatchObject({
      id: 7,
      error: { code: -32602, message: expect.stringContaining('text') },
    });
    // A part with control characters is refused before anything runs, naming the part.
    const nul = await rpc(send([{ text: 'what is 1 + 1' }, { text: 'and\u0000more' }]));
    expect(nul.status).toBe(200);
    expect(await nul.json()).toMatchObject({
      id: 7,
      error: {
        code: -32602,
        message: expect.stringMatching(
          /params\.message\.parts\[1\]\.text must not contain control characters/,
        ),
      },
    });
    expect(nul.headers.get('x-request-id')).toEqual(expect.any(String));
    // Without A2A-Version a request speaks 0.3: a 1.0 method name is told which header to send.
    const noHeader = (await (await rpc(send([{ text: 'what is 1 + 1' }]), {})).json()) as {
      error: { code: number; message: string };
    };
    expect(noHeader.error).toEqual({
      code: -32601,
      message: expect.stringContaining("send the header 'A2A-Version: 1.0'"),
    });
    // A version the endpoint does not speak: which ones it does, and the header to send.
    for (const version of ['0.1', '2.0']) {
      const unsupported = (await (
        await rpc(send([{ text: 'what is 1 + 1' }]), { 'a2a-version': version })
      ).json()) as { error: { code: number; message: string } };
      expect(unsupported.error).toMatchObject({
        code: -32009,
        message: `A2A version '${version}' (the A2A-Version header) is not supported; supported versions: 1.0, 0.3. For A2A 1.0 send the header 'A2A-Version: 1.0'; for A2A 0.3 send no A2A-Version header, or 'A2A-Version: 0.3'`,
      });
    }
    const unknown = (await (
      await rpc({ jsonrpc: '2.0', id: 8, method: 'Frobnicate', params: {} })
    ).json()) as { error: { code: number } };
    expect(unknown.error.code).toBe(-32601);
    const badUser = await rpc(send([{ text: 'what is 1 + 1' }]), {
      'a2a-version': '1.0',
      'x-user-id': 'bad user!',
    });
    expect(badUser.status).toBe(401);
    expect(await badUser.json()).toMatchObject({
      code: 'UNAUTHORIZED',
      requestId: badUser.headers.get('x-request-id'),
    });
    // Only JSON is read: a form post (what a cross-origin page can send) is refused before the SDK.
    const form = await fetch(`${stack.gatewayUrl}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'a2a-version': '1.0' },
      body: 'jsonrpc=2.0&method=SendMessage',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  describe('A2A 0.3 (no A2A-Version header), with the @a2a-js/sdk 0.3 client', () => {
    /** The A2A-Version header of every request the 0.3 clients sent (their card fetches included). */
    const versionsSent: (string | null)[] = [];
    afterEach(() => {
      expect(versionsSent.length).toBeGreaterThan(0);
      expect(versionsSent.every((v) => v === null)).toBe(true);
      versionsSent.length = 0;
    });

    /** `fetch` acting as `user` that notes the A2A-Version header of what it sends. */
    const legacyFetchAs =
      (user: string): typeof fetch =>
      (input, init) => {
        versionsSent.push(new Headers(init?.headers).get('a2a-version'));
        return fetchAs(user)(input, init);
      };

    /** A 0.3 client acting as `user`: it reads the card at the well-known path, as deployed ones do. */
    async function legacyClientFor(user: string): Promise<LegacyClient> {
      const watching = legacyFetchAs(user);
      const factory = new LegacyClientFactory(
        LegacyClientFactoryOptions.createFrom(LegacyClientFactoryOptions.default, {
          transports: [new LegacyJsonRpcTransportFactory({ fetchImpl: watching })],
          cardResolver: new LegacyAgentCardResolver({ fetchImpl: watching }),
        }),
      );
      return factory.createFromUrl(stack.gatewayUrl);
    }

    const legacyMessage = (text: string): LegacyMessageSendParams => ({
      message: {
        kind: 'message',
        messageId: randomUUID(),
        role: 'user',
        parts: [{ kind: 'text', text }],
      },
    });
    const textOfParts = (parts: LegacyMessage['parts'] | undefined) =>
      (parts ?? []).map((p) => (p.kind === 'text' ? p.text : '')).join('');
    const legacyOutcome = (task: LegacyTask) => ({
      state: task.status.state,
      message: textOfParts(task.status.message?.parts),
      answer: (task.artifacts ?? []).map((a) => textOfParts(a.parts)).join('\n'),
    });

    it('sends a message and reads the task back (message/send, tasks/get), for its owner only', async () => {
      const user = `legacy-${randomUUID()}`;
      const client = await legacyClientFor(user);
      const result = await client.sendMessage(legacyMessage('what is 17 * 23'));
      expect(result.kind).toBe('task');
      const task = result as LegacyTask;
      expect(legacyOutcome(task)).toEqual({
        state: 'completed',
        message: '17 * 23 = 391.',
        answer: '17 * 23 = 391.',
      });
      const got = await client.getTask({ id: task.id });
      expect(got).toMatchObject({ kind: 'task', id: task.id, status: { state: 'completed' } });
      // The same id is the platform's task.
      const view = (await (
        await fetch(`${stack.gatewayUrl}/tasks/${task.id}`, { headers: { 'x-user-id': user } })
      ).json()) as { status: string; task: string };
      expect(view).toMatchObject({ status: 'completed', task: 'what is 17 * 23' });
      const stranger = await legacyClientFor(`someone-${randomUUID()}`);
      await expect(stranger.getTask({ id: task.id })).rejects.toThrow(/not found/i);
    });

    it('streams a message (message/stream): the task, progress, the answer, then a final completed', async () => {
      const client = await legacyClientFor(`legacy-${randomUUID()}`);
      const events: string[] = [];
      let answer = '';
      for await (const ev of client.sendMessageStream(
        legacyMessage('what is 2 + 2, then save the result as a note'),
      )) {
        if (ev.kind === 'status-update') {
          events.push(`status:${ev.status.state}${ev.final ? ':final' : ''}`);
          if (ev.status.state === 'failed')
            events.push(`failure:${textOfParts(ev.status.message?.parts)}`);
        } else if (ev.kind === 'artifact-update') {
          events.push('artifact');
          answer = textOfParts(ev.artifact.parts);
        } else events.push(ev.kind);
      }
      expect(events[0]).toBe('task');
      expect(events.slice(-2)).toEqual(['artifact', 'status:completed:final']);
      expect(events.filter((e) => e === 'status:working').length).toBeGreaterThanOrEqual(3);
      expect(answer).toMatch(/^2 \+ 2 = 4\. Saved note [0-9a-f-]+: "4"\.$/);
    });

    it('cancels a running task (tasks/cancel), down to the remote agent it delegated to', async () => {
      const client = await legacyClientFor(`legacy-${randomUUID()}`);
      const before = await archivistStats();
      const started = (await client.sendMessage({
        ...legacyMessage('ask the archivist about NATS JetStream'),
        configuration: { blocking: false },
      })) as LegacyTask;
      expect(started.kind).toBe('task');
      await waitFor(async () => (await archivistStats()).executed === before.executed + 1, {
        what: 'the archivist to start',
      });
      const cancelled = await client.cancelTask({ id: started.id });
      expect(cancelled).toMatchObject({ kind: 'task', status: { state: 'canceled' } });
      await waitFor(
        async () => (await archivistStats()).cancelled.length === before.cancelled.length + 1,
        { what: 'the archivist to cancel its task' },
      );
      expect((await client.getTask({ id: started.id })).status.state).toBe('canceled');
    });

    it('answers a 0.3 request the platform cannot run with a 0.3 JSON-RPC error', async () => {
      const r = await legacyFetchAs('legacy-errors')(`${stack.gatewayUrl}/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 9,
          method: 'message/send',
          params: {
            message: {
              kind: 'message',
              messageId: 'm1',
              role: 'user',
              parts: [{ kind: 'data', data: { x: 1 } }],
            },
          },
        }),
      });
      expect(await r.json()).toEqual({
        jsonrpc: '2.0',
        id: 9,
        error: {
          code: -32602,
          message: 'params.message.parts must contain text (the task to run)',
        },
      });
    });
  });
});
