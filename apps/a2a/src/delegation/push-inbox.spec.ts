import { describe, expect, it, jest } from '@jest/globals';
import { A2a } from '@switchboard/contracts';
import type { BusMessage, NatsBus } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import { A2aEnv } from '../config/a2a.env.js';
import { DelegationRun } from './delegation-run.js';
import { PushInbox } from './push-inbox.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const DELEGATION = '11111111-2222-4333-8444-555555555555';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A bus that keeps the inbox's subscriptions, so a test can deliver requests to them. */
function fakeBus() {
  const subs = new Map<string, (m: BusMessage) => void>();
  const bus = {
    subscribeRaw: (subject: string, handler: (m: BusMessage) => void) => {
      subs.set(subject, handler);
      return { subject, ready: Promise.resolve(), unsubscribe: () => subs.delete(subject) };
    },
  } as unknown as NatsBus;
  /** Sends `data` as a request on `subject`; the decoded answer, or undefined when nobody serves it. */
  const request = (subject: string, data: unknown) => {
    const handler = subs.get(subject);
    if (!handler) return undefined;
    let answer: unknown;
    handler({
      subject,
      data: new TextEncoder().encode(JSON.stringify({ pattern: subject, data, id: 'r1' })),
      reply: '_INBOX.gateway.1',
      headers: undefined,
      header: () => undefined,
      respond: (bytes?: Uint8Array) => {
        answer = JSON.parse(new TextDecoder().decode(bytes));
        return true;
      },
    });
    return answer as { response?: unknown; err?: { code: string } };
  };
  return { bus, subs, request };
}

function setup() {
  const { bus, subs, request } = fakeBus();
  const inbox = new PushInbox(
    bus,
    { A2A_PUSH_CALLBACK_URL: 'https://sb.example', A2A_PUSH_SAFETY_POLL_MS: 60_000 },
    logger,
  );
  const run = new DelegationRun(DELEGATION, 'task-1', 'watcher', 'default');
  const subject = `sb.cmd.a2a.delegation.notified.${DELEGATION}`;
  return { inbox, run, subs, request, subject };
}

describe(PushInbox.name, () => {
  it('gives each delegation its own callback URL and a fresh random token', async () => {
    const { inbox, run } = setup();
    const a = await inbox.open(run);
    const b = await inbox.open(new DelegationRun(DELEGATION, 't', 'w', 'default'));
    expect(a.target.url).toBe(`https://sb.example/a2a/notifications/${DELEGATION}`);
    expect(a.target.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.target.token).not.toBe(a.target.token);
    expect(
      A2a.DelegationNotified.subjectOf({ delegationId: DELEGATION, tokenHash: '0'.repeat(64) }),
    ).toBe(`sb.cmd.a2a.delegation.notified.${DELEGATION}`);
  });

  it('accepts a notification with the token and wakes the waiting delegation', async () => {
    const { inbox, run, request, subject } = setup();
    const box = await inbox.open(run);
    const waiting = box.next(60_000, new AbortController().signal);
    const answer = request(subject, { delegationId: DELEGATION, tokenHash: sha(box.target.token) });
    expect(answer).toMatchObject({ response: { accepted: true }, id: 'r1' });
    await expect(waiting).resolves.toBe('notified');
    expect(box.notifications).toBe(1);
  });

  it('keeps a notification that comes before the delegation waits (the agent is quick)', async () => {
    const { inbox, run, request, subject } = setup();
    const box = await inbox.open(run);
    request(subject, { delegationId: DELEGATION, tokenHash: sha(box.target.token) });
    await expect(box.next(60_000, new AbortController().signal)).resolves.toBe('notified');
  });

  it('refuses a wrong token (UNAUTHORIZED) and another task (FORBIDDEN), waking nothing', async () => {
    const { inbox, run, request, subject } = setup();
    const box = await inbox.open(run);
    run.remoteTaskKnown('remote-1');
    const wrong = request(subject, { delegationId: DELEGATION, tokenHash: sha('guess') });
    expect(wrong?.err?.code).toBe('UNAUTHORIZED');
    const other = request(subject, {
      delegationId: DELEGATION,
      tokenHash: sha(box.target.token),
      remoteTaskId: 'remote-2',
    });
    expect(other?.err?.code).toBe('FORBIDDEN');
    const bad = request(subject, { delegationId: DELEGATION, tokenHash: 'nope' });
    expect(bad?.err?.code).toBe('VALIDATION');
    expect(box.notifications).toBe(0);
    await expect(box.next(5, new AbortController().signal)).resolves.toBe('quiet');
  });

  it('answers NOT_FOUND for a moment once closed, then stops serving the subject; a wait ends when the delegation is aborted', async () => {
    const { inbox, run, subs, request, subject } = setup();
    const box = await inbox.open(run);
    const controller = new AbortController();
    const waiting = box.next(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    jest.useFakeTimers();
    try {
      box.close();
      // for a moment a late notification is answered NOT_FOUND (not dropped), then nobody serves it
      const late = request(subject, { delegationId: DELEGATION, tokenHash: sha('x') });
      expect(late?.err?.code).toBe('NOT_FOUND');
      jest.advanceTimersByTime(2_000);
      expect(subs.size).toBe(0);
      expect(request(subject, { delegationId: DELEGATION, tokenHash: sha('x') })).toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('is off without a public callback URL', () => {
    const { bus } = fakeBus();
    const inbox = new PushInbox(
      bus,
      { A2A_PUSH_CALLBACK_URL: undefined, A2A_PUSH_SAFETY_POLL_MS: 60_000 },
      logger,
    );
    expect(inbox.enabled).toBe(false);
  });

  it('validates the public callback URL, naming the setting and the reason', () => {
    const parse = (url: string) => A2aEnv.safeParse({ A2A_PUSH_CALLBACK_URL: url });
    expect(parse('https://sb.example.com/').data?.A2A_PUSH_CALLBACK_URL).toBe(
      'https://sb.example.com',
    );
    expect(parse('').data?.A2A_PUSH_CALLBACK_URL).toBeUndefined();
    for (const [url, reason] of [
      ['sb.example.com', 'absolute URL'],
      ['ftp://sb.example.com', 'http(s)'],
      ['https://user:pw@sb.example.com', 'credentials'],
      ['https://sb.example.com/?a=1', 'query'],
    ]) {
      const issue = parse(url!).error?.issues[0];
      expect(issue?.path).toEqual(['A2A_PUSH_CALLBACK_URL']);
      expect(issue?.message).toContain(reason);
    }
  });
});
