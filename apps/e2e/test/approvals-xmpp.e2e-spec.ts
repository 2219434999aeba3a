import { type Approvals, Tasks } from '@switchboard/contracts';
import {
  collectSse,
  connectXmppPerson,
  DEMO_TASK,
  type PrivateProsody,
  PROSODY_HOSTS,
  type Stack,
  startPrivateProsody,
  startStack,
  waitFor,
  type XmppPerson,
  type XmppPersonMessage,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

const DOMAIN = PROSODY_HOSTS.plain;
const FORM_TYPE = 'urn:switchboard:approval:1';

/**
 * Approvals over XMPP on real processes (docs/xmpp-bridge.md, "Approvals over XMPP"): a private
 * Prosody; the platform's bridge logged in as platform@, configured with XMPP_APPROVERS mapping the
 * role admin to alice@; alice is an ordinary `@xmpp/client` login. A demo task whose notes.add needs
 * the role admin pauses; alice's client gets the request as a chat message with an XEP-0004 form and
 * decides it — the form, or a typed command — and the task goes on. Someone not listed is ignored.
 */
describe('approvals over XMPP (real Prosody, NATS with identities, PostgreSQL, Redis, services)', () => {
  let prosody: PrivateProsody;
  let stack: Stack;
  let alice: XmppPerson;
  let mallory: XmppPerson;
  const passwords = Object.fromEntries(
    ['platform', 'alice', 'mallory'].map((u) => [u, `pw-${u}-${randomUUID()}`]),
  );

  beforeAll(async () => {
    prosody = await startPrivateProsody({
      accounts: Object.entries(passwords).map(([user, password]) => ({
        user,
        host: DOMAIN,
        password,
      })),
    });
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'gateway'],
      env: {
        'xmpp-bridge': {
          AZTM_JID: `platform@${DOMAIN}`,
          AZTM_PASSWORD: passwords['platform']!,
          AZTM_HOST: '127.0.0.1',
          AZTM_PORT: String(prosody.c2sPort),
          // the plaintext virtual host: the person's client needs no CA (SCRAM, never PLAIN)
          AZTM_TLS: 'off',
          AZTM_SERVER_MODE: 'false',
          XMPP_APPROVERS: `role:admin=alice@${DOMAIN}`,
        },
      },
    });
    const person = (username: string) =>
      connectXmppPerson({
        service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
        domain: DOMAIN,
        username,
        password: passwords[username]!,
      });
    [alice, mallory] = await Promise.all([person('alice'), person('mallory')]);
    const set = await call('PUT', '/approval-policies/notes.add', 'root', policy, 'admin');
    expect(set.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.allSettled([alice?.stop(), mallory?.stop()]);
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await prosody?.stop();
    expect(refused).toEqual([]);
  });

  /** notes.add waits for a holder of the role admin; the requester may not decide it. */
  const policy = { policy: { approvers: { requester: false, roles: ['admin'] } } };

  const call = (method: string, path: string, user: string, body?: unknown, role = 'user') =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** The demo task as `user`; resolves once it waits, with its approval id. */
  async function demoWaiting(user: string): Promise<{ taskId: string; approvalId: string }> {
    const res = await call('POST', '/orchestrate', user, { task: DEMO_TASK });
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      task_id: string;
      status: string;
      approval: { approvalId: string };
    };
    expect(body.status).toBe('waiting_approval');
    return { taskId: body.task_id, approvalId: body.approval.approvalId };
  }

  /** The request alice's client received for `approvalId`. */
  const requestFor = (person: XmppPerson, approvalId: string) =>
    person.waitForMessage(
      (m) => m.form?.fields['approvalId']?.[0] === approvalId,
      `the approval request ${approvalId} at ${person.bare}`,
    );

  const replyAfter = (person: XmppPerson, count: number, what: string) =>
    person.waitForMessage(
      (m) => person.messages.indexOf(m) >= count && m.form === undefined && m.body !== undefined,
      what,
    );

  const notesOf = (user: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      user,
    ]);

  async function eventsOf(taskId: string, user: string): Promise<Tasks.TaskEvent[]> {
    const res = await call('GET', `/tasks/${taskId}/events`, user);
    expect(res.status).toBe(200);
    return (await collectSse(res)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
  }

  async function approvalsOf(taskId: string, user: string, status: string) {
    const res = await call('GET', `/tasks/${taskId}/approvals?status=${status}`, user);
    expect(res.status).toBe(200);
    return ((await res.json()) as { approvals: Approvals.ApprovalView[] }).approvals;
  }

  it('sends the request as a chat message with a form; the submitted form approves it', async () => {
    const ann = `ann-${randomUUID()}`;
    const { taskId, approvalId } = await demoWaiting(ann);

    const request: XmppPersonMessage = await requestFor(alice, approvalId);
    expect(request.type).toBe('chat');
    expect(request.from).toMatch(new RegExp(`^platform@${DOMAIN.replace(/\./g, '\\.')}/`));
    expect(request.body).toContain('notes.add');
    expect(request.body).toContain('"content":"391"');
    expect(request.body).toContain(`approve ${approvalId.slice(0, 8)}`);
    expect(request.form).toMatchObject({
      type: 'form',
      fields: { FORM_TYPE: [FORM_TYPE], approvalId: [approvalId], taskId: [taskId] },
      fieldTypes: { FORM_TYPE: 'hidden', decision: 'list-single', reason: 'text-single' },
    });
    // asked once
    expect(
      alice.messages.filter((m) => m.form?.fields['approvalId']?.[0] === approvalId),
    ).toHaveLength(1);
    expect(await notesOf(ann)).toEqual([]);

    const before = alice.messages.length;
    await alice.submitForm(
      request.from,
      { FORM_TYPE, approvalId, taskId, decision: 'approve' },
      { thread: request.thread! },
    );
    const reply = await replyAfter(alice, before, 'the outcome of the form');
    expect(reply.body).toMatch(/^Approved notes\.add/);

    const events = await eventsOf(taskId, ann);
    expect(events[events.length - 1]!.name).toBe('orchestrator.task.completed');
    expect(events.find((e) => e.name === 'orchestrator.approval.decided')?.data).toMatchObject({
      approvalId,
      status: 'approved',
      decidedBy: `xmpp:alice@${DOMAIN}`,
    });
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);
    const [approved] = await approvalsOf(taskId, ann, 'approved');
    expect(approved).toMatchObject({ approvalId, decidedBy: `xmpp:alice@${DOMAIN}` });

    // A second answer to the same request: decided already, and the person hears by whom.
    const again = alice.messages.length;
    await alice.submitForm(request.from, { FORM_TYPE, approvalId, taskId, decision: 'reject' });
    const conflict = await replyAfter(alice, again, 'the outcome of a second answer');
    expect(conflict.body).toContain('Already decided');
    expect(conflict.body).toContain(`xmpp:alice@${DOMAIN}`);
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);
  });

  it('a typed "reject <id> <reason>" rejects it; the model hears the reason, no note is written', async () => {
    const bea = `bea-${randomUUID()}`;
    const { taskId, approvalId } = await demoWaiting(bea);
    const request = await requestFor(alice, approvalId);

    const before = alice.messages.length;
    await alice.say(request.from, `reject ${approvalId.slice(0, 8)} not today`);
    const reply = await replyAfter(alice, before, 'the outcome of the typed rejection');
    expect(reply.body).toBe(`Rejected notes.add (approval ${approvalId.slice(0, 8)}): not today.`);

    const events = await eventsOf(taskId, bea);
    expect(events.find((e) => e.name === 'orchestrator.step.failed')?.data).toMatchObject({
      target: 'notes.add',
      error: { code: 'FORBIDDEN', message: expect.stringContaining('not today') },
    });
    expect(Tasks.isTerminalTaskEvent(events[events.length - 1]!)).toBe(true);
    expect(await notesOf(bea)).toEqual([]);
    const [rejected] = await approvalsOf(taskId, bea, 'rejected');
    expect(rejected).toMatchObject({ decidedBy: `xmpp:alice@${DOMAIN}`, comment: 'not today' });
  });

  it('ignores an answer from a JID that XMPP_APPROVERS does not list: the approval stays pending', async () => {
    const cy = `cy-${randomUUID()}`;
    const { taskId, approvalId } = await demoWaiting(cy);
    const request = await requestFor(alice, approvalId);
    // mallory was not asked, but answers anyway, with the form's ids and as a command
    expect(mallory.messages.some((m) => m.form?.fields['approvalId']?.[0] === approvalId)).toBe(
      false,
    );
    await mallory.submitForm(request.from, { FORM_TYPE, approvalId, taskId, decision: 'approve' });
    await mallory.say(request.from, `approve ${approvalId.slice(0, 8)}`);
    const bridge = stack.services['xmpp-bridge']!;
    await waitFor(
      () =>
        bridge
          .logs()
          .split('\n')
          .filter((l) => l.includes('XMPP_APPROVERS does not list') && l.includes('mallory@'))
          .length >= 2,
      { what: "the bridge's log of the two ignored answers" },
    );
    expect(await approvalsOf(taskId, cy, 'pending')).toMatchObject([
      { approvalId, status: 'pending' },
    ]);
    expect(mallory.messages.filter((m) => m.form === undefined)).toEqual([]);
    expect(await notesOf(cy)).toEqual([]);

    // alice still decides it (and a malformed answer of hers is explained first)
    const before = alice.messages.length;
    await alice.submitForm(request.from, { FORM_TYPE, approvalId, taskId, decision: 'maybe' });
    const explained = await replyAfter(alice, before, 'the explanation of a malformed form');
    expect(explained.body).toBe('Not understood: decision: choose "approve" or "reject".');
    expect(await approvalsOf(taskId, cy, 'pending')).toHaveLength(1);
    const next = alice.messages.length;
    await alice.say(request.from, `approve ${approvalId.slice(0, 8)}`);
    expect((await replyAfter(alice, next, 'the outcome of the typed approval')).body).toMatch(
      /^Approved notes\.add/,
    );
    const events = await eventsOf(taskId, cy);
    expect(events[events.length - 1]!.name).toBe('orchestrator.task.completed');
    expect(await notesOf(cy)).toEqual([{ content: '391' }]);
  });
});
