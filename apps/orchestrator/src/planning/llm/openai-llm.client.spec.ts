import { jest } from '@jest/globals';
import { createLogger, Metrics } from '@switchboard/observability';
import { type LlmStub, startLlmStub, waitFor } from '@switchboard/testing';
import { type LlmRequest } from './llm.client.js';
import { LlmMetrics } from './llm.metrics.js';
import { scrub } from './llm-error.translator.js';
import { OpenAiLlmClient } from './openai-llm.client.js';

const KEY = 'sk-unit-test-key-0123456789abcdef';
const request = (task: string): LlmRequest => ({
  model: 'stub-model',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: task },
  ],
  tools: [{ name: 'notes__add', description: 'add a note', parameters: { type: 'object' } }],
  temperature: 0,
  maxOutputTokens: 123,
});

/** The client's log lines, parsed. */
const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'orchestrator',
  instance: 'test',
  level: 'info',
  pretty: false,
  destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
});

// The HTTP adapter against a real (scripted) OpenAI-compatible server on loopback.
describe(OpenAiLlmClient.name, () => {
  let llm: LlmStub;
  const client = ({
    stream = false,
    param = 'max_tokens',
    timeoutMs = 5_000,
    idleMs = 30_000,
    retries = 0,
  }: {
    stream?: boolean;
    param?: 'max_tokens' | 'max_completion_tokens';
    timeoutMs?: number;
    idleMs?: number;
    retries?: number;
  } = {}) =>
    new OpenAiLlmClient(
      {
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: llm.baseUrl,
        LLM_TIMEOUT_MS: timeoutMs,
        LLM_MAX_RETRIES: retries,
        LLM_STREAM: stream,
        LLM_STREAM_IDLE_MS: idleMs,
        LLM_MAX_TOKENS_PARAM: param,
      },
      new LlmMetrics(new Metrics('orchestrator', 'test')),
      logger,
    );
  const never = new AbortController().signal;

  beforeAll(async () => {
    llm = await startLlmStub();
  });

  afterAll(async () => {
    await llm.stop();
  });

  it.each([false, true])(
    'leaves no LLM_TIMEOUT_MS timer counting once the call has answered (stream: %p)',
    async (stream) => {
      // AbortSignal.timeout lived out the whole LLM_TIMEOUT_MS after every answer, holding the
      // task's async context: the attempt's own timer must be cleared when it ends.
      llm.script(`TIMER-${stream}`, [{ content: 'done' }]);
      const set = jest.spyOn(globalThis, 'setTimeout');
      const clear = jest.spyOn(globalThis, 'clearTimeout');
      // Its timer cannot be cleared: the call must not make one.
      const uncleared = jest.spyOn(AbortSignal, 'timeout');
      try {
        await client({ stream, timeoutMs: 4_321 }).complete(request(`TIMER-${stream}`), never);
        const timers = set.mock.calls
          .map((call, i) => ({ ms: call[1], timer: set.mock.results[i]?.value as unknown }))
          .filter((t) => t.ms === 4_321)
          .map((t) => t.timer);
        // The attempt's own and the HTTP client's (its timeout until the headers), both cleared.
        expect(timers.length).toBeGreaterThanOrEqual(1);
        expect(clear.mock.calls.map(([t]) => t)).toEqual(expect.arrayContaining(timers));
        expect(uncleared).not.toHaveBeenCalled();
      } finally {
        set.mockRestore();
        clear.mockRestore();
        uncleared.mockRestore();
      }
    },
  );

  it.each([false, true])(
    "starts an attempt's LLM_TIMEOUT_MS once the SDK's client is made: importing it is not the server's answer (stream: %p)",
    async (stream) => {
      // The first call after a start imports the SDK; on a loaded machine that took longer than a
      // short LLM_TIMEOUT_MS, and the attempt timed out before its request was even sent.
      llm.script(`LOAD-${stream}`, [{ content: 'done' }]);
      const order: string[] = [];
      const llmClient = client({ stream, timeoutMs: 4_322 });
      const field = llmClient as unknown as { openai: () => Promise<unknown> };
      const make = field.openai;
      field.openai = () => make().then((sdk) => (order.push('client made'), sdk));
      const realSetTimeout = globalThis.setTimeout;
      const set = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((
        fn: () => void,
        ms?: number,
      ) => {
        if (ms === 4_322) order.push('timer');
        return realSetTimeout(fn, ms);
      }) as typeof setTimeout);
      try {
        await llmClient.complete(request(`LOAD-${stream}`), never);
        expect(order[0]).toBe('client made');
        expect(order).toContain('timer');
      } finally {
        set.mockRestore();
      }
    },
  );

  it.each([false, true])('reads tool calls, text and usage (stream: %p)', async (stream) => {
    const script = llm.script(`USAGE-${stream}`, [
      {
        content: 'Let me save that.',
        toolCalls: [
          {
            name: 'notes__add',
            arguments: { content: 'a fairly long note to split into pieces' },
            id: 'c1',
          },
        ],
        usage: { prompt: 11, completion: 7 },
      },
    ]);
    const out = await client({ stream }).complete(request(`USAGE-${stream}`), never);
    expect(out).toEqual({
      content: 'Let me save that.',
      toolCalls: [
        {
          id: 'c1',
          type: 'function',
          function: {
            name: 'notes__add',
            arguments: '{"content":"a fairly long note to split into pieces"}',
          },
        },
      ],
      usage: { promptTokens: 11, completionTokens: 7 },
      model: 'stub-model',
      finishReason: 'tool_calls',
    });
    const body = script.requests[0]!.body;
    expect(body).toMatchObject({
      model: 'stub-model',
      max_tokens: 123,
      temperature: 0,
      tool_choice: 'auto',
      stream,
    });
    expect(body.tools?.[0]).toEqual({
      type: 'function',
      function: { name: 'notes__add', description: 'add a note', parameters: { type: 'object' } },
    });
    if (stream) expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('reports no usage when the server sends none, and sends the output limit in the configured field', async () => {
    const script = llm.script('NO-USAGE', [{ content: 'ok', usage: false }]);
    const out = await client({ param: 'max_completion_tokens' }).complete(
      request('NO-USAGE'),
      never,
    );
    expect(out.usage).toBeUndefined();
    expect(out.content).toBe('ok');
    expect(script.requests[0]!.body).toMatchObject({ max_completion_tokens: 123 });
    expect(script.requests[0]!.body.max_tokens).toBeUndefined();
  });

  it('aborts the HTTP request when the signal aborts', async () => {
    const gate = llm.gate();
    const script = llm.script('ABORT-ME', [{ content: 'late', hold: gate }]);
    const controller = new AbortController();
    const pending = client().complete(request('ABORT-ME'), controller.signal);
    await gate.reached;
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor(() => script.requests[0]!.aborted, { what: 'the stub to see the abort' });
  });

  it('abandons a streamed answer that stalls and asks again, returning the next answer', async () => {
    const script = llm.script('STALL-ONCE', [
      { content: 'I will now think forever', stall: true },
      { content: 'Here it is.' },
    ]);
    const out = await client({ stream: true, idleMs: 200 }).complete(request('STALL-ONCE'), never);
    expect(out.content).toBe('Here it is.');
    expect(script.requests).toHaveLength(2);
    await waitFor(() => script.requests[0]!.aborted, { what: 'the stalled request closed' });
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'a streamed LLM answer stalled; asking again',
        attempt: 1,
        error: expect.stringMatching(/stalled: nothing for 200 ms \(LLM_STREAM_IDLE_MS\)/),
      }),
    );
  });

  it('ends a streamed answer that stalls after its first chunk with TIMEOUT, closing the request', async () => {
    const script = llm.script('STALL', [{ content: 'I will now think forever', stall: true }]);
    const started = Date.now();
    const e = await client({ stream: true, timeoutMs: 300 })
      .complete(request('STALL'), never)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      message: expect.stringMatching(/did not finish its answer within 300 ms \(LLM_TIMEOUT_MS\)/),
    });
    // Wide bound: stopped by LLM_TIMEOUT_MS, not by the server or the 5 s of a default client.
    expect(Date.now() - started).toBeLessThan(4_000);
    await waitFor(() => script.requests[0]!.aborted, {
      what: 'the stub to see the request closed',
    });
  });

  it.each([false, true])(
    'retries a call that timed out like other transient failures, each attempt with its own LLM_TIMEOUT_MS (stream: %p)',
    async (stream) => {
      const task = `HANG-TWICE-${stream}`;
      const script = llm.script(task, [{ hang: true }, { hang: true }, { content: 'Here it is.' }]);
      lines.length = 0;
      const out = await client({ stream, timeoutMs: 300, retries: 2 }).complete(
        request(task),
        never,
      );
      expect(out.content).toBe('Here it is.');
      expect(script.requests).toHaveLength(3);
      await waitFor(() => script.requests[0]!.aborted && script.requests[1]!.aborted, {
        what: 'the hung requests closed',
      });
      const retries = lines.filter((l) => l['msg'] === 'an LLM call failed; asking again');
      expect(retries.map((l) => [l['code'], l['attempt']])).toEqual([
        ['TIMEOUT', 1],
        ['TIMEOUT', 2],
      ]);
      expect(lines.filter((l) => l['msg'] === 'llm call failed')).toEqual([]);
    },
  );

  it('fails with TIMEOUT once every attempt (1 + LLM_MAX_RETRIES) timed out, saying how many', async () => {
    const script = llm.script('HANG-ALWAYS', [{ hang: true }, { hang: true }, { hang: true }]);
    const e = await client({ timeoutMs: 200, retries: 2 })
      .complete(request('HANG-ALWAYS'), never)
      .catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      message: expect.stringMatching(
        /did not finish its answer within 200 ms \(LLM_TIMEOUT_MS\); 3 attempts$/,
      ),
      details: { attempts: 3 },
    });
    expect(script.requests).toHaveLength(3);
  });

  it('retries HTTP 500 and 429 as often as LLM_MAX_RETRIES, waiting as long as the server asks', async () => {
    const script = llm.script('FLAKY', [
      { status: 500, message: 'overloaded' },
      { status: 429, message: 'slow down', headers: { 'retry-after-ms': '42' } },
      { content: 'Done.' },
    ]);
    lines.length = 0;
    const out = await client({ retries: 2 }).complete(request('FLAKY'), never);
    expect(out.content).toBe('Done.');
    expect(script.requests).toHaveLength(3);
    const retries = lines.filter((l) => l['msg'] === 'an LLM call failed; asking again');
    expect(retries.map((l) => [l['code'], l['status'], l['attempt']])).toEqual([
      ['UPSTREAM_UNAVAILABLE', 500, 1],
      ['RATE_LIMITED', 429, 2],
    ]);
    expect(retries[1]!['delayMs']).toBe(42);
  });

  it.each([400, 401])('does not retry what a repeat cannot fix (HTTP %p)', async (status) => {
    const task = `NOT-AGAIN-${status}`;
    const script = llm.script(task, [{ status, message: 'no' }, { content: 'never sent' }]);
    await expect(client({ retries: 2 }).complete(request(task), never)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: false,
      details: { status },
    });
    expect(script.requests).toHaveLength(1);
  });

  it('stops retrying when the task ends (its signal aborts) while a retry is under way', async () => {
    const script = llm.script('HANG-THEN-CANCEL', [{ hang: true }, { hang: true }, { hang: true }]);
    const controller = new AbortController();
    const pending = client({ timeoutMs: 300, retries: 2 }).complete(
      request('HANG-THEN-CANCEL'),
      controller.signal,
    );
    await waitFor(() => script.requests.length === 2, { what: 'the second attempt' });
    controller.abort(new Error('task out of time'));
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor(() => script.requests[1]!.aborted, { what: 'the second attempt closed' });
    expect(script.requests).toHaveLength(2);
  });

  it('turns server errors into DomainErrors that never carry the key', async () => {
    llm.script('REFUSED', [{ status: 401, message: `Incorrect API key provided: ${KEY}` }]);
    llm.script('BROKEN', [
      { status: 500, message: `upstream exploded near sk-abc1***********cdef` },
    ]);
    llm.script('BAD', [{ status: 400, message: 'tools[0].function.name is invalid' }]);
    const refused = await client()
      .complete(request('REFUSED'), never)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('refused the credentials (HTTP 401); check OPENAI_API_KEY'),
    });
    const broken = await client()
      .complete(request('BROKEN'), never)
      .catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const bad = await client()
      .complete(request('BAD'), never)
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('HTTP 400: 400 tools[0].function.name is invalid'),
    });
    for (const e of [refused, broken, bad]) {
      expect(
        JSON.stringify({
          message: (e as Error).message,
          details: (e as { details?: unknown }).details,
        }),
      ).not.toMatch(/sk-[a-z0-9*]{4}/i);
    }
  });

  it('says which server cannot be reached', async () => {
    const down = new OpenAiLlmClient(
      {
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        LLM_TIMEOUT_MS: 2_000,
        LLM_MAX_RETRIES: 0,
        LLM_STREAM: false,
        LLM_STREAM_IDLE_MS: 30_000,
        LLM_MAX_TOKENS_PARAM: 'max_tokens',
      },
      new LlmMetrics(new Metrics('orchestrator', 'test')),
      logger,
    );
    await expect(down.complete(request('x'), never)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the LLM server at 127.0.0.1:9 cannot be reached',
    });
  });

  it('logs one warning per failed call (500, 429, timeout) saying how it failed, never the key or the prompt; a cancelled call is not a failure', async () => {
    llm.script('LOGGED-500', [{ status: 500, message: `boom near ${KEY}` }]);
    llm.script('LOGGED-429', [{ status: 429, message: 'slow down' }]);
    llm.script('LOGGED-HANG', [{ content: 'thinking', stall: true }]);
    const gate = llm.gate();
    llm.script('LOGGED-CANCEL', [{ content: 'late', hold: gate }]);
    lines.length = 0;
    for (const task of ['LOGGED-500', 'LOGGED-429']) {
      await client()
        .complete(request(task), never)
        .catch(() => undefined);
    }
    await client({ stream: true, timeoutMs: 300 })
      .complete(request('LOGGED-HANG'), never)
      .catch(() => undefined);
    const controller = new AbortController();
    const cancelled = client().complete(request('LOGGED-CANCEL'), controller.signal);
    await gate.reached;
    controller.abort(new Error('user cancelled'));
    await cancelled.catch(() => undefined);

    const failures = lines.filter((l) => l['msg'] === 'llm call failed');
    expect(
      failures.map((l) => [l['level'], l['code'], l['status'], l['retryable'], l['model']]),
    ).toEqual([
      ['warn', 'UPSTREAM_UNAVAILABLE', 500, true, 'stub-model'],
      ['warn', 'RATE_LIMITED', 429, true, 'stub-model'],
      ['warn', 'TIMEOUT', undefined, true, 'stub-model'],
    ]);
    for (const l of failures) {
      expect(l['server']).toBe(new URL(llm.baseUrl).host);
      expect(typeof l['durationMs']).toBe('number');
    }
    const text = JSON.stringify(failures);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('LOGGED-');
  });
});

describe('scrub', () => {
  it('removes the key, masked key echoes and bearer tokens, and cuts long messages', () => {
    expect(scrub(`bad key ${KEY}!`, KEY)).toBe('bad key [redacted]!');
    expect(scrub('Incorrect API key provided: sk-proj-ab**********xyz.', undefined)).toBe(
      'Incorrect API key provided: [redacted].',
    );
    expect(scrub('Authorization: Bearer abc.def', undefined)).toBe(
      'Authorization: Bearer [redacted]',
    );
    expect(scrub('x'.repeat(400), undefined)).toHaveLength(301);
  });
});
