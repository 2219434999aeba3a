import { Metrics } from '@switchboard/observability';
import { type LlmStub, startLlmStub, waitFor } from '@switchboard/testing';
import { type LlmRequest } from './llm.client.js';
import { LlmMetrics } from './llm.metrics.js';
import { OpenAiLlmClient, scrub } from './openai-llm.client.js';

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

// The HTTP adapter against a real (scripted) OpenAI-compatible server on loopback.
describe(OpenAiLlmClient.name, () => {
  let llm: LlmStub;
  const client = (stream: boolean, param: 'max_tokens' | 'max_completion_tokens' = 'max_tokens') =>
    new OpenAiLlmClient(
      {
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: llm.baseUrl,
        LLM_TIMEOUT_MS: 5_000,
        LLM_MAX_RETRIES: 0,
        LLM_STREAM: stream,
        LLM_MAX_TOKENS_PARAM: param,
      },
      new LlmMetrics(new Metrics('orchestrator', 'test')),
    );
  const never = new AbortController().signal;

  beforeAll(async () => {
    llm = await startLlmStub();
  });

  afterAll(async () => {
    await llm.stop();
  });

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
    const out = await client(stream).complete(request(`USAGE-${stream}`), never);
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
    const out = await client(false, 'max_completion_tokens').complete(request('NO-USAGE'), never);
    expect(out.usage).toBeUndefined();
    expect(out.content).toBe('ok');
    expect(script.requests[0]!.body).toMatchObject({ max_completion_tokens: 123 });
    expect(script.requests[0]!.body.max_tokens).toBeUndefined();
  });

  it('aborts the HTTP request when the signal aborts', async () => {
    const gate = llm.gate();
    const script = llm.script('ABORT-ME', [{ content: 'late', hold: gate }]);
    const controller = new AbortController();
    const pending = client(false).complete(request('ABORT-ME'), controller.signal);
    await gate.reached;
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor(() => script.requests[0]!.aborted, { what: 'the stub to see the abort' });
  });

  it('turns server errors into DomainErrors that never carry the key', async () => {
    llm.script('REFUSED', [{ status: 401, message: `Incorrect API key provided: ${KEY}` }]);
    llm.script('BROKEN', [
      { status: 500, message: `upstream exploded near sk-abc1***********cdef` },
    ]);
    llm.script('BAD', [{ status: 400, message: 'tools[0].function.name is invalid' }]);
    const refused = await client(false)
      .complete(request('REFUSED'), never)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('refused the credentials (HTTP 401); check OPENAI_API_KEY'),
    });
    const broken = await client(false)
      .complete(request('BROKEN'), never)
      .catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const bad = await client(false)
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
        LLM_MAX_TOKENS_PARAM: 'max_tokens',
      },
      new LlmMetrics(new Metrics('orchestrator', 'test')),
    );
    await expect(down.complete(request('x'), never)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'the LLM server at 127.0.0.1:9 cannot be reached',
    });
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
