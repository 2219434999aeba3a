// GET /live on the stack as users get it: NATS with the platform's identities. The Live view reads the
// traffic as the read-only `live` identity; a gateway without it is told by NATS what it may not read
// and says so — it used to subscribe as itself, and the refusal, thrown from inside the NATS client's
// parser, closed the gateway's connection for good (every request then hung).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readSse, type SseEvent, type Stack, startStack, waitFor } from '@switchboard/testing';

const admin = { 'x-user-id': 'ops', 'x-user-role': 'admin', 'content-type': 'application/json' };

interface Ready {
  identity: string;
  watching: string[];
  refused: { pattern: string; reason: string }[];
}

describe('GET /live on NATS with the platform identities (real processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Runs a task to its end; its answer. */
  async function runTask(task: string): Promise<string> {
    const r = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ task }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { result: string }).result;
  }

  async function ready(): Promise<number> {
    return (await fetch(`${stack.gatewayUrl}/readiness`)).status;
  }

  it('reads every kind of traffic, commands included, as the live identity; the gateway stays ready', async () => {
    const ac = new AbortController();
    const r = await fetch(`${stack.gatewayUrl}/live?commands=true`, {
      headers: admin,
      signal: ac.signal,
    });
    expect(r.status).toBe(200);
    const frames = readSse(r);
    const first = (await frames.next()).value as SseEvent;
    expect(first.event).toBe('ready');
    const status = JSON.parse(first.data) as Ready;
    expect(status).toMatchObject({ identity: 'live', refused: [] });
    expect(status.watching).toEqual(
      expect.arrayContaining(['sb.task.>', 'sb.evt.>', 'sb.audit.>', 'sb.cmd.>', 'sb.health.>']),
    );
    const answer = runTask('what is 17 * 23, then save the result as a note');
    const subjects: string[] = [];
    for await (const f of frames) {
      subjects.push((JSON.parse(f.data) as { subject: string }).subject);
      if (subjects.some((s) => s.endsWith('orchestrator.task.completed'))) break;
    }
    ac.abort();
    expect(await answer).toContain('391');
    expect(subjects.some((s) => s.startsWith('sb.cmd.tools.call.'))).toBe(true);
    expect(subjects).toContain('sb.task.submit');
    expect(await ready()).toBe(200);
    // Nothing the server refused: the live identity may read all of it.
    expect(stack.securedNats?.violations()).toEqual([]);
  });

  it('without the live identity, says what it may not read, ends the stream, and keeps serving', async () => {
    const noLive = ['NKEY_SEED_FILE', 'USER', 'PASSWORD', 'CREDS_FILE'].map((k) => [
      `LIVE_NATS_${k}`,
      '',
    ]);
    await stack.restart('gateway', Object.fromEntries(noLive));
    const r = await fetch(`${stack.gatewayUrl}/live?commands=true`, { headers: admin });
    expect(r.status).toBe(200);
    const frames: SseEvent[] = [];
    for await (const f of readSse(r)) frames.push(f);
    expect(frames.map((f) => f.event)).toEqual(['ready']);
    const status = JSON.parse(frames[0]!.data) as Ready;
    expect(status.identity).toBe('gateway');
    expect(status.watching).toEqual([]);
    expect(status.refused.map((x) => x.pattern).sort()).toEqual(
      [
        'sb.audit.>',
        'sb.cmd.>',
        'sb.ctl.>',
        'sb.dlq.>',
        'sb.evt.>',
        'sb.health.>',
        'sb.task.>',
      ].sort(),
    );
    expect(status.refused[0]?.reason).toMatch(/permissions violation/i);
    // The connection survived the refusals: ready, and tasks run.
    await waitFor(async () => (await ready()) === 200, { what: 'the gateway ready' });
    expect(await runTask('what is 2 * 21')).toContain('42');
    expect(await ready()).toBe(200);
  });
});
