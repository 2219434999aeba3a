import { describe, expect, it } from '@jest/globals';
import { DomainError, isRepeatable, Tools } from '@switchboard/contracts';
import {
  ConnectionLostError,
  DisconnectedError,
  MessagingTimeoutError,
  NoRespondersError,
  RemoteError,
} from './messaging.errors.js';
import { retryRequest, retryWithBackoff } from './retry.policy.js';

const FAST = { initialDelayMs: 5, maxDelayMs: 20 };
const noResponders = () => new NoRespondersError('sb.cmd.tools.manifest', 'mcp-tools');

/** A request that never finds a responder; records each attempt. */
function unanswered() {
  const attempts: { at: number; timeoutMs: number }[] = [];
  const send = async (timeoutMs: number): Promise<string> => {
    attempts.push({ at: Date.now(), timeoutMs });
    throw noResponders();
  };
  return { attempts, send };
}

/** A request that fails with the given errors in turn, then answers `ok`; records each attempt. */
function scripted(...failures: Error[]) {
  const attempts: { at: number; timeoutMs: number }[] = [];
  const send = async (timeoutMs: number) => {
    attempts.push({ at: Date.now(), timeoutMs });
    const e = failures[attempts.length - 1];
    if (e) throw e;
    return 'ok';
  };
  return { attempts, send };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('retryRequest (the retry policy of NATS requests)', () => {
  it('sends a repeatable request again after each transport failure until it is answered', async () => {
    const { attempts, send } = scripted(
      noResponders(),
      new MessagingTimeoutError('sb.cmd.tools.manifest', 10),
      new ConnectionLostError('sb.cmd.tools.manifest', 'mcp-tools'),
      new DisconnectedError('sb.cmd.tools.manifest', 'mcp-tools', 10),
    );
    const retries: number[] = [];
    const answer = await retryRequest(send, {
      timeoutMs: 1_000,
      repeatable: true,
      deadline: Date.now() + 5_000,
      backoff: FAST,
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    expect(answer).toBe('ok');
    expect(attempts).toHaveLength(5);
    expect(retries).toEqual([1, 2, 3, 4]);
  });

  it('never sends a request that is not repeatable twice, whatever the failure', async () => {
    for (const e of [noResponders(), new MessagingTimeoutError('sb.cmd.a2a.delegate', 10)]) {
      const { attempts, send } = scripted(e);
      expect(await failure(retryRequest(send, { timeoutMs: 1_000, repeatable: false }))).toBe(e);
      expect(attempts).toHaveLength(1);
    }
  });

  it("does not retry an answer: a remote's error stands, even a retryable one", async () => {
    const remote = new RemoteError('mcp-tools', {
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the weather API is down',
      retryable: true,
    });
    for (const e of [remote, new DomainError('VALIDATION', 'bad input'), new Error('bug')]) {
      const { attempts, send } = scripted(e);
      const opts = {
        timeoutMs: 1_000,
        repeatable: true,
        deadline: Date.now() + 5_000,
        backoff: FAST,
      };
      expect(await failure(retryRequest(send, opts))).toBe(e);
      expect(attempts).toHaveLength(1);
    }
  });

  it('stays within the deadline: no attempt starts after it, none waits past it', async () => {
    const { attempts, send } = unanswered();
    const deadline = Date.now() + 300;
    const e = await failure(
      retryRequest(send, { timeoutMs: 5_000, repeatable: true, deadline, backoff: FAST }),
    );
    expect(e).toBeInstanceOf(NoRespondersError);
    expect(attempts.length).toBeGreaterThan(1);
    for (const a of attempts) {
      expect(a.at).toBeLessThanOrEqual(deadline);
      expect(a.at + a.timeoutMs).toBeLessThanOrEqual(deadline + 5);
    }
  });

  it('sends a repeatable request once when the caller gives no budget for retries', async () => {
    const { attempts, send } = unanswered();
    await failure(retryRequest(send, { timeoutMs: 200, repeatable: true, backoff: FAST }));
    expect(attempts).toHaveLength(1);
  });

  it("with only maxOutageMs, retries within the request's own timeout", async () => {
    const { attempts, send } = unanswered();
    const started = Date.now();
    const opts = { timeoutMs: 200, repeatable: true, maxOutageMs: 60_000, backoff: FAST };
    await failure(retryRequest(send, opts));
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.every((a) => a.at <= started + 200)).toBe(true);
  });

  it('gives up maxOutageMs after the first failure even when the deadline is far', async () => {
    const { attempts, send } = unanswered();
    const opts = {
      timeoutMs: 1_000,
      repeatable: true,
      deadline: Date.now() + 60_000,
      maxOutageMs: 200,
      backoff: FAST,
    };
    const e = await failure(retryRequest(send, opts));
    expect(e).toBeInstanceOf(NoRespondersError);
    const first = attempts[0]!.at;
    expect(attempts.every((a) => a.at <= first + 200)).toBe(true);
  });

  it('caps the wait between attempts at the backoff maximum', async () => {
    const delays: number[] = [];
    const { send } = scripted(...Array.from({ length: 12 }, () => noResponders() as Error));
    await retryRequest(send, {
      timeoutMs: 10_000,
      repeatable: true,
      deadline: Date.now() + 10_000,
      backoff: { initialDelayMs: 2, maxDelayMs: 15 },
      onRetry: (_e, _attempt, delayMs) => delays.push(delayMs),
    });
    expect(delays).toHaveLength(12);
    expect(Math.max(...delays)).toBeLessThanOrEqual(15);
  });

  it('stops at once when the signal aborts, also while it waits, and sends nothing more', async () => {
    const controller = new AbortController();
    const attempts: number[] = [];
    const p = retryRequest(
      async () => {
        attempts.push(Date.now());
        controller.abort(new DomainError('CANCELLED', 'the task was cancelled'));
        throw noResponders();
      },
      {
        timeoutMs: 10_000,
        repeatable: true,
        deadline: Date.now() + 10_000,
        signal: controller.signal,
        backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
      },
    );
    const e = await failure(p);
    expect(e).toMatchObject({ code: 'CANCELLED', message: 'the task was cancelled' });
    expect(attempts).toHaveLength(1);
  });
});

describe('retryWithBackoff', () => {
  it('retries what retryIf accepts, up to maxRetries, then rejects with the last failure', async () => {
    let calls = 0;
    const e = await failure(
      retryWithBackoff(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        { backoff: FAST, maxRetries: 3 },
      ),
    );
    expect(calls).toBe(4);
    expect((e as Error).message).toBe('failure 4');
    let refused = 0;
    await failure(
      retryWithBackoff(
        async () => {
          refused++;
          throw new Error('permanent');
        },
        { backoff: FAST, retryIf: () => false },
      ),
    );
    expect(refused).toBe(1);
  });
});

describe('isRepeatable (contracts)', () => {
  it('holds for idempotent commands, and for keyed ones only with a key', () => {
    expect(isRepeatable(Tools.ToolsManifest, {})).toBe(true);
    expect(isRepeatable(Tools.ToolsCall, { tool: 'notes.add', input: {} })).toBe(false);
    expect(
      isRepeatable(Tools.ToolsCall, { tool: 'notes.add', input: {}, idempotencyKey: 't:s1' }),
    ).toBe(true);
    expect(isRepeatable({}, {})).toBe(false);
  });
});
