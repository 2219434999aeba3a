import { type Message, Role, type Task, taskStateToJSON } from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import type { Tasks } from '@switchboard/contracts';
import { DEMO_TASK, type SharedStack, sharedStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** The A2A states an ended platform task is in. */
const ENDED = ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED'];

/**
 * Approvals through the platform's A2A endpoint on real processes (docs/a2a.md; docs/approvals.md),
 * driven by the official @a2a-js/sdk 1.3 client: the demo task with notes.add to approve stops at
 * INPUT_REQUIRED saying which call waits; "approve" sent on the same task decides it, and the same
 * A2A task completes, the note written once.
 */
describe('approvals over A2A 1.0 (real processes, @a2a-js/sdk client)', () => {
  let stack: SharedStack;

  beforeAll(async () => {
    stack = await sharedStack();
  });

  afterAll(async () => {
    const refused = stack?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  /** An SDK 1.3 (A2A 1.0) client acting as `user` (dev auth: X-User-Id on every request). */
  async function clientFor(user: string): Promise<Client> {
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-user-id', user);
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

  const send = (
    client: Client,
    parts: Message['parts'],
    on: { taskId?: string; contextId?: string; metadata?: Record<string, unknown> } = {},
  ) =>
    client.sendMessage({
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
      configuration: undefined,
      metadata: undefined,
    }) as Promise<Task>;

  const text = (value: string): Message['parts'][number] => ({
    content: { $case: 'text', value },
    mediaType: 'text/plain',
    filename: '',
    metadata: undefined,
  });

  /** The task's state and status message, so a failure shows why. */
  const statusOf = (task: Task) => ({
    state: taskStateToJSON(task.status!.state),
    text: task.status?.message?.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join(''),
    data: task.status?.message?.parts.find((p) => p.content?.$case === 'data')?.content,
  });

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  it('goes to INPUT_REQUIRED describing the call; "approve" on the same task completes it with one note', async () => {
    const ann = `ann-${randomUUID()}`;
    const client = await clientFor(ann);
    const waiting = await send(client, [text(DEMO_TASK)], {
      metadata: { approval: { tools: ['notes.add'] } },
    });
    const asked = statusOf(waiting);
    expect(asked.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(asked.text).toContain('notes.add with {"content":"391"}');
    expect(asked.text).toMatch(/'approve' or 'reject <reason>'/);
    const approvals = (
      asked.data as { value: { approvals: { approvalId: string; target: string }[] } }
    ).value.approvals;
    expect(approvals).toEqual([expect.objectContaining({ target: 'notes.add' })]);
    expect(asked.text).toContain(approvals[0]!.approvalId);
    // The platform task waits (nothing holds it), and nothing is written yet.
    const stored = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${waiting.id}`, { headers: { 'x-user-id': ann } })
    ).json()) as Tasks.TaskView;
    expect(stored.status).toBe('waiting_approval');
    expect(await notesOf(ann)).toEqual([]);
    // GetTask says the same.
    const got = await client.getTask({ tenant: '', id: waiting.id, historyLength: undefined });
    expect(taskStateToJSON(got.status!.state)).toBe('TASK_STATE_INPUT_REQUIRED');

    const done = await send(client, [text('approve')], {
      taskId: waiting.id,
      contextId: waiting.contextId,
    });
    expect(done.id).toBe(waiting.id);
    expect(statusOf(done)).toMatchObject({
      state: 'TASK_STATE_COMPLETED',
      text: expect.stringContaining('391'),
    });
    expect(done.artifacts.map((a) => a.artifactId)).toEqual(['result']);

    const view = await waitFor(
      async () => {
        const r = await fetch(`${stack.gatewayUrl}/tasks/${waiting.id}`, {
          headers: { 'x-user-id': ann },
        });
        const t = (await r.json()) as Tasks.TaskView;
        return t.status === 'completed' ? t : undefined;
      },
      { what: 'the task stored as completed' },
    );
    expect(view.steps.map((s) => [s.target, s.status])).toEqual([
      ['calculator', 'completed'],
      ['notes.add', 'completed'],
    ]);
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);

    // The task has ended: a further message on it is refused.
    await expect(
      send(client, [text('approve')], { taskId: waiting.id, contextId: waiting.contextId }),
    ).rejects.toThrow();
  });

  it('"reject <reason>" refuses the call: the planner hears the reason, no note is written', async () => {
    const bob = `bob-${randomUUID()}`;
    const client = await clientFor(bob);
    const waiting = await send(client, [text(DEMO_TASK)], {
      metadata: { approval: { tools: ['notes.add'] } },
    });
    expect(statusOf(waiting).state).toBe('TASK_STATE_INPUT_REQUIRED');
    const done = await send(client, [text('reject not today')], {
      taskId: waiting.id,
      contextId: waiting.contextId,
    });
    // The planner hears the refusal as a failed step and answers (or gives up): the task has ended.
    expect(ENDED).toContain(statusOf(done).state);
    const decided = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${waiting.id}/approvals?status=rejected`, {
        headers: { 'x-user-id': bob },
      })
    ).json()) as { approvals: { status: string; comment?: string; decidedBy?: string }[] };
    expect(decided.approvals).toEqual([
      expect.objectContaining({ status: 'rejected', comment: 'not today', decidedBy: bob }),
    ]);
    expect(await notesOf(bob)).toEqual([]);
  });

  it('approved from two surfaces at once (A2A and HTTP): one decision wins, the call runs once', async () => {
    const cy = `cy-${randomUUID()}`;
    const client = await clientFor(cy);
    const waiting = await send(client, [text(DEMO_TASK)], {
      metadata: { approval: { tools: ['notes.add'] } },
    });
    const asked = statusOf(waiting);
    expect(asked.state).toBe('TASK_STATE_INPUT_REQUIRED');
    const [approval] = (asked.data as { value: { approvals: { approvalId: string }[] } }).value
      .approvals;
    const [overA2a, overHttp] = await Promise.all([
      send(client, [text('approve')], { taskId: waiting.id, contextId: waiting.contextId }),
      fetch(`${stack.gatewayUrl}/tasks/${waiting.id}/approvals/${approval!.approvalId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': cy },
        body: JSON.stringify({ decision: 'approve' }),
      }),
    ]);
    // HTTP either decided (200) or found it decided over A2A (409); A2A follows the task either way.
    expect([200, 409]).toContain(overHttp.status);
    expect(statusOf(overA2a).state).toBe('TASK_STATE_COMPLETED');
    const decided = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${waiting.id}/approvals?status=approved`, {
        headers: { 'x-user-id': cy },
      })
    ).json()) as { approvals: { approvalId: string; decidedBy?: string }[] };
    expect(decided.approvals).toEqual([
      expect.objectContaining({ approvalId: approval!.approvalId, decidedBy: cy }),
    ]);
    // A third decision, after the fact, is refused on either surface.
    const again = await fetch(
      `${stack.gatewayUrl}/tasks/${waiting.id}/approvals/${approval!.approvalId}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': cy },
        body: JSON.stringify({ decision: 'approve' }),
      },
    );
    expect(again.status).toBe(409);
    expect(await notesOf(cy)).toEqual([{ content: '391' }]);
  });

  it('refuses an answer it cannot read, naming the field (-32602)', async () => {
    const cid = `cid-${randomUUID()}`;
    const client = await clientFor(cid);
    const waiting = await send(client, [text(DEMO_TASK)], {
      metadata: { approval: { tools: ['notes.add'] } },
    });
    await expect(
      send(
        client,
        [
          {
            content: { $case: 'data', value: { decision: 'maybe' } },
            mediaType: 'application/json',
            filename: '',
            metadata: undefined,
          },
        ],
        { taskId: waiting.id, contextId: waiting.contextId },
      ),
    ).rejects.toThrow(/params\.message\.parts\[0\]\.data\.decision/);
    expect(await notesOf(cid)).toEqual([]);
  });
});
