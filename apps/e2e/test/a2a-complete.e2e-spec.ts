import {
  type Message,
  Role,
  type SendMessageRequest,
  type Task,
  TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import type { Webhooks } from '@switchboard/contracts';
import {
  DEMO_TASK,
  type ReceivedWebhook,
  type Stack,
  startStack,
  startWebhookReceiver,
  waitFor,
  type WebhookReceiver,
} from '@switchboard/testing';
import type { Task as LegacyTask } from 'a2a-sdk-03';
import {
  type Client as LegacyClient,
  ClientFactory as LegacyClientFactory,
  ClientFactoryOptions as LegacyClientFactoryOptions,
  DefaultAgentCardResolver as LegacyAgentCardResolver,
  JsonRpcTransportFactory as LegacyJsonRpcTransportFactory,
} from 'a2a-sdk-03/client';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Someone acting in a tenant (dev auth with TENANCY=true). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

/** An A2A 1.0 push notification as the receiver got it, its signature verified. */
interface Notification {
  state: string;
  taskId: string;
  contextId: string;
  text: string;
  headers: ReceivedWebhook['headers'];
}

/**
 * A2A 1.0 complete on the platform's own agent (docs/a2a.md), on real processes — NATS with the
 * services' identities, PostgreSQL, Redis, tenancy on — driven by the official @a2a-js/sdk 1.3
 * client: ListTasks (tenant-scoped, paged), push notification configs set inline and on a task that
 * waits for an approval, their notifications received signed at a real HTTP receiver (approval
 * requested, then completed after the decision) with the config's token and authorization, get, list
 * and delete of configs, another tenant's caller seeing none of it, and the extended card.
 */
describe('A2A 1.0 ListTasks, push notifications and the extended card (real processes)', () => {
  let stack: Stack;
  const receivers: WebhookReceiver[] = [];
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const globex = `globex-${stamp}`;
  const ann: Who = { user: `ann-${stamp}`, tenant: acme };
  const alan: Who = { user: `alan-${stamp}`, tenant: acme, role: 'admin' };
  const gus: Who = { user: `gus-${stamp}`, tenant: globex };

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      env: {
        gateway: { TENANCY: 'true' },
        orchestrator: {
          // The receivers run on 127.0.0.1 over plain HTTP: allowed here explicitly.
          WEBHOOK_HTTPS_ONLY: 'false',
          WEBHOOK_ALLOWED_TARGETS: '127.0.0.1',
          WEBHOOK_SWEEP_MS: '200',
          WEBHOOK_RETRY_INITIAL_MS: '250',
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(receivers.map((r) => r.close()));
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  const receiver = async () => {
    const r = await startWebhookReceiver();
    receivers.push(r);
    return r;
  };

  const headersOf = (who: Who) => ({
    'x-user-id': who.user,
    'x-user-role': who.role ?? 'user',
    'x-tenant-id': who.tenant,
  });

  /** The SDK's 0.3 release (no A2A-Version header, the 0.3 card) acting as `who`. */
  async function legacyClientFor(who: Who): Promise<LegacyClient> {
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(headersOf(who))) headers.set(k, v);
      return fetch(input, { ...init, headers });
    };
    const factory = new LegacyClientFactory(
      LegacyClientFactoryOptions.createFrom(LegacyClientFactoryOptions.default, {
        transports: [new LegacyJsonRpcTransportFactory({ fetchImpl })],
        cardResolver: new LegacyAgentCardResolver({ fetchImpl }),
      }),
    );
    return factory.createFromUrl(stack.gatewayUrl);
  }

  /** An SDK 1.3 (A2A 1.0) client acting as `who`. */
  async function clientFor(who: Who): Promise<Client> {
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(headersOf(who))) headers.set(k, v);
      return fetch(input, { ...init, headers });
    };
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
        cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
      }),
    );
    return factory.createFromUrl(stack.gatewayUrl);
  }

  const text = (value: string): Message['parts'][number] => ({
    content: { $case: 'text', value },
    mediaType: 'text/plain',
    filename: '',
    metadata: undefined,
  });

  const request = (
    parts: Message['parts'],
    on: { taskId?: string; contextId?: string; metadata?: Record<string, unknown> } = {},
    configuration?: SendMessageRequest['configuration'],
  ): SendMessageRequest => ({
    tenant: '',
    message: {
      messageId: randomUUID(),
      role: Role.ROLE_USER,
      contextId: on.contextId ?? '',
      taskId: on.taskId ?? '',
      parts,
      metadata: on.metadata,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration,
    metadata: undefined,
  });

  const stateOf = (task: Task) => taskStateToJSON(task.status!.state);

  const taskSecret = async (who: Who) => {
    const r = await fetch(`${stack.gatewayUrl}/webhooks/secret`, { headers: headersOf(who) });
    expect(r.status).toBe(200);
    return ((await r.json()) as Webhooks.WebhookSecret).secret;
  };

  /** The receiver's notifications of `taskId`, each signature verified with `secret`. */
  const notifications = (r: WebhookReceiver, secret: string, taskId: string): Notification[] =>
    r.received
      .map((x) => {
        const body = new Webhook(secret).verify(x.body, {
          'webhook-id': String(x.headers['webhook-id']),
          'webhook-timestamp': String(x.headers['webhook-timestamp']),
          'webhook-signature': String(x.headers['webhook-signature']),
        }) as {
          statusUpdate: {
            taskId: string;
            contextId: string;
            status: { state: string; message: { parts: { text?: string }[] } };
          };
        };
        const u = body.statusUpdate;
        return {
          state: u.status.state,
          taskId: u.taskId,
          contextId: u.contextId,
          text: u.status.message.parts.map((p) => p.text ?? '').join(''),
          headers: x.headers,
        };
      })
      .filter((n) => n.taskId === taskId);

  const stateFor = (r: WebhookReceiver, secret: string, taskId: string, state: string) =>
    waitFor(() => notifications(r, secret, taskId).find((n) => n.state === state), {
      what: `the ${state} notification of ${taskId}`,
      timeoutMs: 30_000,
    });

  it('notifies a push config of the approval it waits for and of its end, signed, with its token and authorization', async () => {
    const [inline, later] = [await receiver(), await receiver()];
    const client = await clientFor(ann);
    const secret = await taskSecret(ann);
    // The config sent with the message hears the task from its first event.
    const waiting = (await client.sendMessage(
      request(
        [text(DEMO_TASK)],
        { metadata: { approval: { tools: ['notes.add'] } } },
        {
          acceptedOutputModes: [],
          historyLength: undefined,
          returnImmediately: false,
          taskPushNotificationConfig: {
            tenant: '',
            id: 'inline',
            taskId: '',
            url: `${inline.url}/a2a`,
            token: 'inline-token',
            authentication: { scheme: 'Bearer', credentials: 'receiver-credential' },
          },
        },
      ),
    )) as Task;
    expect(stateOf(waiting)).toBe('TASK_STATE_INPUT_REQUIRED');
    const asked = await stateFor(inline, secret, waiting.id, 'TASK_STATE_INPUT_REQUIRED');
    expect(asked.text).toMatch(/notes\.add waits for a decision/);
    expect(asked.contextId).toBe(waiting.contextId);
    expect(asked.headers['content-type']).toBe('application/a2a+json');
    expect(asked.headers['x-a2a-notification-token']).toBe('inline-token');
    expect(asked.headers['authorization']).toBe('Bearer receiver-credential');

    // A config set on the waiting task; get and list show both, never a credential.
    const set = await client.createTaskPushNotificationConfig({
      tenant: '',
      id: 'later',
      taskId: waiting.id,
      url: `${later.url}/a2a`,
      token: 'later-token',
      authentication: undefined,
    });
    expect(set).toMatchObject({ id: 'later', taskId: waiting.id, token: 'later-token' });
    const got = await client.getTaskPushNotificationConfig({
      tenant: '',
      taskId: waiting.id,
      id: 'inline',
    });
    expect(got).toMatchObject({
      id: 'inline',
      url: `${inline.url}/a2a`,
      authentication: { scheme: 'Bearer', credentials: '' },
    });
    const listed = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: waiting.id,
      pageSize: 1,
      pageToken: '',
    });
    expect(listed.configs.map((c) => c.id)).toEqual(['inline']);
    const rest = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: waiting.id,
      pageSize: 1,
      pageToken: listed.nextPageToken,
    });
    expect(rest.configs.map((c) => c.id)).toEqual(['later']);

    // The decision: both configs hear the end.
    const done = (await client.sendMessage(
      request([text('approve')], { taskId: waiting.id, contextId: waiting.contextId }),
    )) as Task;
    expect(stateOf(done)).toBe('TASK_STATE_COMPLETED');
    expect((await stateFor(inline, secret, waiting.id, 'TASK_STATE_COMPLETED')).text).toContain(
      '391',
    );
    const ended = await stateFor(later, secret, waiting.id, 'TASK_STATE_COMPLETED');
    expect(ended.headers['x-a2a-notification-token']).toBe('later-token');
    expect(ended.headers['authorization']).toBeUndefined();
    // The later config was set after the approval was asked: it heard only the end.
    expect(notifications(later, secret, waiting.id).map((n) => n.state)).toEqual([
      'TASK_STATE_COMPLETED',
    ]);

    // They are webhook deliveries: listed with the owner's, marked as A2A push notifications.
    await waitFor(
      async () => {
        const r = await fetch(
          `${stack.gatewayUrl}/webhooks/deliveries?task_id=${waiting.id}&status=delivered`,
          { headers: headersOf(ann) },
        );
        const { deliveries } = (await r.json()) as { deliveries: Webhooks.WebhookDeliveryView[] };
        return deliveries.filter((d) => d.a2aPush).length === 3;
      },
      { what: 'the three notifications stored as delivered A2A push deliveries' },
    );

    await client.deleteTaskPushNotificationConfig({ tenant: '', taskId: waiting.id, id: 'later' });
    const left = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: waiting.id,
      pageSize: 10,
      pageToken: '',
    });
    expect(left.configs.map((c) => c.id)).toEqual(['inline']);

    // Another tenant's caller finds neither the task nor its configs; its admin's tenant does.
    const other = await clientFor(gus);
    await expect(
      other.getTaskPushNotificationConfig({ tenant: '', taskId: waiting.id, id: 'inline' }),
    ).rejects.toThrow(/not found/i);
    await expect(
      other.createTaskPushNotificationConfig({
        tenant: '',
        id: 'x',
        taskId: waiting.id,
        url: `${later.url}/gus`,
        token: '',
        authentication: undefined,
      }),
    ).rejects.toThrow(/not found/i);
    const admin = await clientFor(alan);
    const seen = await admin.listTaskPushNotificationConfig({
      tenant: '',
      taskId: waiting.id,
      pageSize: 10,
      pageToken: '',
    });
    expect(seen.configs.map((c) => c.id)).toEqual(['inline']);
  });

  it('does the same over A2A 0.3 (tasks/pushNotificationConfig/*), notifying in the 0.3 shape', async () => {
    const r = await receiver();
    const client = await legacyClientFor(ann);
    const secret = await taskSecret(ann);
    const waiting = (await client.sendMessage({
      message: {
        kind: 'message',
        messageId: randomUUID(),
        role: 'user',
        parts: [{ kind: 'text', text: DEMO_TASK }],
        metadata: { approval: { tools: ['notes.add'] } },
      },
      configuration: {
        blocking: true,
        pushNotificationConfig: { id: 'legacy', url: `${r.url}/legacy`, token: 'legacy-token' },
      },
    })) as LegacyTask;
    expect(waiting.status.state).toBe('input-required');
    /** The 0.3 notifications (the Task object) of the task, each signature verified. */
    const legacyStates = () =>
      r.received
        .map((x) => ({
          task: new Webhook(secret).verify(x.body, {
            'webhook-id': String(x.headers['webhook-id']),
            'webhook-timestamp': String(x.headers['webhook-timestamp']),
            'webhook-signature': String(x.headers['webhook-signature']),
          }) as { kind: string; id: string; status: { state: string } },
          headers: x.headers,
        }))
        .filter((n) => n.task.id === waiting.id);
    const asked = await waitFor(
      () => legacyStates().find((n) => n.task.status.state === 'input-required'),
      { what: 'the 0.3 input-required notification', timeoutMs: 30_000 },
    );
    expect(asked.task.kind).toBe('task');
    expect(asked.headers['content-type']).toBe('application/json');
    expect(asked.headers['x-a2a-notification-token']).toBe('legacy-token');

    const set = await client.setTaskPushNotificationConfig({
      taskId: waiting.id,
      pushNotificationConfig: { id: 'legacy-2', url: `${r.url}/legacy-2` },
    });
    expect(set).toMatchObject({ taskId: waiting.id, pushNotificationConfig: { id: 'legacy-2' } });
    const listed = await client.listTaskPushNotificationConfig({ id: waiting.id });
    expect(listed.map((c) => c.pushNotificationConfig.id).sort()).toEqual(['legacy', 'legacy-2']);
    // The SDK 0.3 types this as TaskIdParams; the 0.3 spec's params name the config too.
    const got = await client.getTaskPushNotificationConfig({
      id: waiting.id,
      pushNotificationConfigId: 'legacy',
    } as Parameters<LegacyClient['getTaskPushNotificationConfig']>[0]);
    expect(got.pushNotificationConfig).toMatchObject({ url: `${r.url}/legacy` });
    await client.deleteTaskPushNotificationConfig({
      id: waiting.id,
      pushNotificationConfigId: 'legacy-2',
    });

    const done = (await client.sendMessage({
      message: {
        kind: 'message',
        messageId: randomUUID(),
        role: 'user',
        taskId: waiting.id,
        contextId: waiting.contextId,
        parts: [{ kind: 'text', text: 'approve' }],
      },
      configuration: { blocking: true },
    })) as LegacyTask;
    expect(done.status.state).toBe('completed');
    await waitFor(() => legacyStates().find((n) => n.task.status.state === 'completed'), {
      what: 'the 0.3 completed notification',
      timeoutMs: 30_000,
    });
    // The deleted config heard nothing.
    expect(r.received.filter((x) => x.path === '/legacy-2')).toEqual([]);
  });

  it('refuses a config whose URL the URL policy refuses, naming the field', async () => {
    const client = await clientFor(ann);
    const task = (await client.sendMessage(request([text(DEMO_TASK)]))) as Task;
    await expect(
      client.createTaskPushNotificationConfig({
        tenant: '',
        id: '',
        taskId: task.id,
        url: 'http://169.254.169.254/latest',
        token: '',
        authentication: undefined,
      }),
    ).rejects.toThrow(/params\.url: 169\.254\.169\.254 is a cloud metadata address/);
  });

  it("lists the caller's tasks, paged; another tenant's caller sees none of them", async () => {
    const who: Who = { user: `lea-${stamp}`, tenant: acme };
    const client = await clientFor(who);
    const contextId = `ctx-${stamp}`;
    const first = (await client.sendMessage(request([text(DEMO_TASK)], { contextId }))) as Task;
    const second = (await client.sendMessage(request([text(DEMO_TASK)], { contextId }))) as Task;
    expect([stateOf(first), stateOf(second)]).toEqual([
      'TASK_STATE_COMPLETED',
      'TASK_STATE_COMPLETED',
    ]);
    const list = (pageSize: number, pageToken = '', status = TaskState.TASK_STATE_UNSPECIFIED) =>
      client.listTasks({
        tenant: '',
        contextId,
        status,
        pageSize,
        pageToken,
        historyLength: undefined,
        statusTimestampAfter: undefined,
        includeArtifacts: undefined,
      });
    const page1 = await list(1);
    expect(page1.tasks.map((t) => t.id)).toEqual([second.id]);
    expect(page1.totalSize).toBe(2);
    expect(page1.nextPageToken).not.toBe('');
    const page2 = await list(1, page1.nextPageToken);
    expect(page2.tasks.map((t) => t.id)).toEqual([first.id]);
    expect(page2.nextPageToken).toBe('');
    expect(page2.tasks[0]).toMatchObject({ contextId });
    expect(stateOf(page2.tasks[0]!)).toBe('TASK_STATE_COMPLETED');
    expect((await list(10, '', TaskState.TASK_STATE_WORKING)).tasks).toEqual([]);

    const other = await clientFor(gus);
    const theirs = await other.listTasks({
      tenant: '',
      contextId,
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageSize: 100,
      pageToken: '',
      historyLength: undefined,
      statusTimestampAfter: undefined,
      includeArtifacts: undefined,
    });
    expect(theirs).toMatchObject({ tasks: [], totalSize: 0 });
    // An admin of the tenant sees them, a user of it only their own.
    const adminList = await (
      await clientFor(alan)
    ).listTasks({
      tenant: '',
      contextId,
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageSize: 100,
      pageToken: '',
      historyLength: undefined,
      statusTimestampAfter: undefined,
      includeArtifacts: undefined,
    });
    expect(adminList.tasks.map((t) => t.id).sort()).toEqual([first.id, second.id].sort());
    const annList = await (
      await clientFor(ann)
    ).listTasks({
      tenant: '',
      contextId,
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageSize: 100,
      pageToken: '',
      historyLength: undefined,
      statusTimestampAfter: undefined,
      includeArtifacts: undefined,
    });
    expect(annList.tasks).toEqual([]);
  });

  it('gives an authenticated caller the extended card with the tools they may use; the public card names none', async () => {
    const publicCard = (await (
      await fetch(`${stack.gatewayUrl}/.well-known/agent-card.json`, {
        headers: { 'a2a-version': '1.0' },
      })
    ).json()) as { skills: { id: string }[]; capabilities: Record<string, unknown> };
    expect(publicCard.skills.map((s) => s.id)).toEqual(['run-task']);
    expect(publicCard.capabilities).toMatchObject({
      pushNotifications: true,
      extendedAgentCard: true,
    });
    const client = await clientFor(ann);
    const card = await client.getAgentCard();
    const ids = card.skills.map((s) => s.id);
    expect(ids[0]).toBe('run-task');
    expect(ids).toEqual(expect.arrayContaining(['tool:calculator', 'tool:notes.add']));
    const tools = (await (
      await fetch(`${stack.gatewayUrl}/tools`, { headers: headersOf(ann) })
    ).json()) as { tools: { name: string }[] };
    expect(ids.filter((id) => id.startsWith('tool:')).sort()).toEqual(
      tools.tools.map((t) => `tool:${t.name}`).sort(),
    );
  });
});
