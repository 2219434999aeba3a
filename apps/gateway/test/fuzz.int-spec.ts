import { type Stack, startStack } from '@switchboard/testing';
import { connect } from 'node:net';

/** A small seeded PRNG, so a failing case can be replayed from the seed in the message. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const UUID = '5b3e8f2a-1c4d-4e6f-9a8b-7c6d5e4f3a2b';
const WEIRD = [
  '',
  ' ',
  '\u0000',
  '💥'.repeat(50),
  'x'.repeat(9_000),
  '../../etc/passwd',
  '%00',
  '{"$gt": ""}',
  '<script>',
  '\\u0000',
  'null',
  '-1',
  '1e309',
  'NaN',
];
/** Tasks that are valid but for one odd character. */
const ODD_TASKS = [
  'what is 1 + 1\u0000',
  'what\u0007 is 2 + 2',
  '\u001bwhat is 3 + 3',
  'a\u007fb\u2028c',
];
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  'x',
  '',
  [],
  {},
  [1, 'a'],
  { a: { b: { c: [] } } },
  'x'.repeat(70_000),
  ...WEIRD,
];
const PATHS = [
  '/orchestrate',
  '/orchestrate/stream',
  '/ag-ui',
  '/ag-ui/events',
  `/tasks/${UUID}`,
  `/tasks/${UUID}/events`,
  `/tasks/${UUID}/cancel`,
  '/tasks/not-a-uuid',
  '/tasks/%00',
  '/tasks/..%2F..%2Fetc',
  '/tools',
  '/audit',
  '/authorizations/u1/notes',
  '/openapi.json',
  '/nope',
  '/orchestrate/stream/extra',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/jsonx',
  '',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function body(r: () => number): string | undefined {
  switch (Math.floor(r() * 9)) {
    case 0:
      return undefined;
    case 1:
      return '{"task": "x",'; // truncated JSON
    case 2:
      return `${'['.repeat(5_000)}${']'.repeat(5_000)}`; // deep nesting
    case 3:
      // Sometimes every other field is valid, so odd characters in the task reach its own checks.
      return JSON.stringify({
        task: pick(r, [...VALUES, ...ODD_TASKS]),
        ...(r() < 0.5 ? {} : { tool_constraints: pick(r, VALUES) }),
        ...(r() < 0.5 ? {} : { max_steps: pick(r, [1, 5, ...VALUES]) }),
      });
    case 4:
      return JSON.stringify({
        task: 'what is 1 + 1',
        tool_constraints: {
          mode: pick(r, ['auto', 'custom', 'x', 5]),
          providers: pick(r, VALUES),
          tools: pick(r, VALUES),
        },
        [pick(r, ['extra', 'thread_id', '__proto__', 'constructor'])]: pick(r, VALUES),
      });
    case 5:
      return JSON.stringify({
        threadId: pick(r, VALUES),
        runId: pick(r, VALUES),
        messages: pick(r, [
          [],
          [{ id: 'm', role: 'user', content: pick(r, VALUES) }],
          [{ role: 'user' }],
          'x',
          null,
        ]),
        forwardedProps: pick(r, [
          { tool_constraints: pick(r, VALUES) },
          { max_steps: pick(r, VALUES) },
          null,
          5,
        ]),
      });
    case 6:
      return JSON.stringify(pick(r, VALUES));
    case 7:
      return JSON.stringify({ reason: pick(r, VALUES) });
    default:
      return Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))).toString(
        'latin1',
      );
  }
}

function query(r: () => number): string {
  const params = [
    `user_message=${encodeURIComponent(String(pick(r, VALUES)).slice(0, 3_000))}`,
    'user_message=a&user_message=b',
    `mode=${encodeURIComponent(String(pick(r, VALUES)).slice(0, 100))}`,
    `tools=${'a,'.repeat(600)}`,
    `limit=${pick(r, ['0', '-1', '501', 'x', '1e3', '50'])}`,
    `before=${pick(r, ['0', 'x', '9'.repeat(30)])}`,
    `from=${pick(r, ['yesterday', '2026-13-45T99:00:00Z', ''])}`,
    'async=true',
    `after=${pick(r, ['x', '-1', '1'])}`,
    'a[b][c]=d',
  ];
  return Math.floor(r() * 3) === 0 ? '' : `?${pick(r, params)}`;
}

function headers(r: () => number): Record<string, string> {
  const h: Record<string, string> = {};
  const ct = pick(r, CONTENT_TYPES);
  if (ct) h['content-type'] = ct;
  if (r() < 0.3)
    h['x-user-id'] = pick(r, ['bad user!', 'x'.repeat(200), 'ok-user', '%00', 'admin']);
  if (r() < 0.2) h['x-user-role'] = pick(r, ['admin', 'ADMIN', '', 'x'.repeat(40), 'user']);
  if (r() < 0.2) h['last-event-id'] = pick(r, ['x', '-1', '99999999999', '1', '']);
  if (r() < 0.1)
    h['authorization'] = pick(r, ['Bearer x', 'Basic Zm9v', `Bearer ${'a'.repeat(10_000)}`]);
  if (r() < 0.1) h['x-request-id'] = pick(r, ['a b', 'x'.repeat(300), 'ok-1']);
  if (r() < 0.1) h['prefer'] = 'respond-async';
  return h;
}

/** Raw HTTP/1.1 that fetch refuses to send: broken framing and headers. */
const RAW = [
  'POST /orchestrate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task":"x"}',
  'POST /orchestrate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}',
  'POST /orchestrate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  `GET /tools HTTP/1.1\r\nHost: x\r\nX-User-Id: ${'a'.repeat(20_000)}\r\n\r\n`,
  'GET /tools HTTP/1.1\r\nHost: x\r\nX-User-Id: a\u0001b\r\n\r\n',
  'GET /tools HTTP/1.1\r\nHost: x\r\nX-User-Id: one\r\nX-User-Id: two\r\n\r\n',
  'GARBAGE\r\n\r\n',
  'GET /tasks/%zz HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /ag-ui HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]',
];

/**
 * What is wrong with an answer, if anything: every answer carries X-Request-Id, and every 4xx/5xx body
 * is the one envelope `{code, message, requestId}` whose requestId is that header.
 */
function envelopeProblem(
  status: number,
  requestId: string | null,
  text: string | undefined,
): string | undefined {
  if (!requestId) return 'no X-Request-Id';
  if (status < 400 || text === undefined) return undefined;
  let body: { code?: unknown; message?: unknown; requestId?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `error body is not JSON: ${text.slice(0, 120)}`;
  }
  if (typeof body.code !== 'string' || typeof body.message !== 'string')
    return `error body is not the envelope: ${text.slice(0, 200)}`;
  if (body.requestId !== requestId)
    return `envelope requestId ${String(body.requestId)} is not X-Request-Id ${requestId}`;
  return undefined;
}

/**
 * Sends `text` as a whole request and ends the sending side (the client has nothing more to say), so
 * a request cut short — a body shorter than its Content-Length — is answered (or its connection closed)
 * at once rather than after the server's or our own timeout; resolves with what came back.
 */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let out = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => {
      out += d.toString('latin1');
      if (out.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.end(text, 'latin1');
  });
}

// A few thousand malformed requests against a full stack: nothing may produce a 5xx or take a process down.
describe('gateway fuzz (real stack)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        gateway: {
          RATE_LIMIT_PER_MINUTE: '0',
          AUTH_FAILURE_LIMIT: '0',
          RESULT_TIMEOUT_MS: '20000',
        },
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 2,500 malformed requests with 4xx envelopes, never 5xx, and keeps serving', async () => {
    const seed = Date.now() % 100_000;
    const r = rng(seed);
    const total = 2_500;
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const method = pick(r, METHODS);
        const url = `${stack.gatewayUrl}${pick(r, PATHS)}${query(r)}`;
        const b = method === 'GET' || method === 'HEAD' ? undefined : body(r);
        const h = headers(r);
        let status: number;
        let text: string;
        let requestId: string | null;
        try {
          const res = await fetch(url, {
            method,
            headers: h,
            ...(b !== undefined ? { body: b } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          status = res.status;
          requestId = res.headers.get('x-request-id');
          text = await res.text();
        } catch (e) {
          failures.push(`#${i} ${method} ${url}: ${(e as Error).message}`);
          continue;
        }
        if (status >= 500)
          failures.push(`#${i} ${method} ${url} -> ${status} ${text.slice(0, 300)}`);
        const problem = envelopeProblem(status, requestId, method === 'HEAD' ? undefined : text);
        if (problem) failures.push(`#${i} ${method} ${url} -> ${status}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect({ seed, failures: failures.slice(0, 20), count: failures.length }).toEqual({
      seed,
      failures: [],
      count: 0,
    });

    const port = stack.services['gateway']!.port;
    for (const raw of RAW) {
      const answer = await rawRequest(port, raw);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      // Node/Fastify may also just close a hopeless connection (status 0); never a 5xx.
      expect({ raw: raw.slice(0, 60), bad: status >= 500 }).toEqual({
        raw: raw.slice(0, 60),
        bad: false,
      });
    }
    // The router's own refusal (bad percent-encoding) is the envelope too, with its request id.
    const badUrl = await rawRequest(
      port,
      'GET /tasks/%zz HTTP/1.1\r\nHost: x\r\nX-User-Id: u\r\n\r\n',
    );
    expect(badUrl).toMatch(/^HTTP\/1\.1 400 /);
    expect(badUrl.toLowerCase()).toMatch(/\r\nx-request-id: \S+\r\n/);

    for (const s of Object.values(stack.services))
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const ok = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'what is 2 + 2' }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'completed', result: '2 + 2 = 4.' });
  }, 180_000);

  it('refuses requests that are valid but for odd characters, long or malformed path parts, or a foreign media type, naming the problem', async () => {
    const gw = stack.gatewayUrl;
    const user = { 'x-user-id': 'odd-chars' };
    const admin = { 'x-user-id': 'odd-admin', 'x-user-role': 'admin' };
    const json = { 'content-type': 'application/json' };
    const queued = await fetch(`${gw}/orchestrate?async=true`, {
      method: 'POST',
      headers: { ...json, ...user },
      body: JSON.stringify({ task: 'what is 1 + 1' }),
    });
    expect(queued.status).toBe(202);
    const { task_id: taskId } = (await queued.json()) as { task_id: string };
    // A valid user id of the longest length, with characters that are percent-encoded in a path.
    const longUser = `${'x'.repeat(112)}@example.org+tag`;
    expect(longUser).toHaveLength(128);
    const agui = (content: string) =>
      JSON.stringify({
        threadId: 't',
        runId: 'r',
        messages: [{ id: 'm', role: 'user', content }],
        tools: [],
        context: [],
        state: {},
        forwardedProps: {},
      });
    const cases: {
      what: string;
      method?: string;
      path: string;
      headers?: Record<string, string>;
      body?: string;
      status: number;
      code: string;
      message?: RegExp;
    }[] = [
      {
        what: 'NUL in a task',
        method: 'POST',
        path: '/orchestrate',
        body: JSON.stringify({ task: 'what is 1 + 1\u0000' }),
        status: 400,
        code: 'VALIDATION',
        message: /task: must not contain control characters/,
      },
      {
        what: 'BEL in a streamed task',
        method: 'POST',
        path: '/orchestrate/stream',
        body: JSON.stringify({ task: 'a\u0007b' }),
        status: 400,
        code: 'VALIDATION',
        message: /task: must not contain control characters/,
      },
      {
        what: 'NUL in AG-UI message content',
        method: 'POST',
        path: '/ag-ui',
        body: agui('what is 1 + 1\u0000'),
        status: 400,
        code: 'VALIDATION',
        message: /messages\.0\.content: must not contain control characters/,
      },
      {
        what: 'NUL in the legacy AG-UI user_message',
        path: '/ag-ui/events?user_message=a%00b',
        status: 400,
        code: 'VALIDATION',
        message: /user_message: must not contain control characters/,
      },
      {
        what: "NUL in an existing task's cancel reason",
        method: 'POST',
        path: `/tasks/${taskId}/cancel`,
        body: JSON.stringify({ reason: 'a\u0000b' }),
        status: 400,
        code: 'VALIDATION',
        message: /reason: must not contain control characters/,
      },
      ...['user_id=%00', 'user_id=a%01b', 'action=a%00', 'action=Task%20Submit'].map((q) => ({
        what: `audit filter ${q} (admin)`,
        path: `/audit?${q}`,
        headers: admin,
        status: 400,
        code: 'VALIDATION',
        message: new RegExp(q.split('=')[0]!),
      })),
      {
        what: 'NUL in the authorizations user filter',
        path: '/authorizations?user_id=%00',
        headers: admin,
        status: 400,
        code: 'VALIDATION',
        message: /user_id/,
      },
      {
        what: 'bad percent-encoding in the path',
        path: '/tasks/%zz',
        status: 400,
        code: 'VALIDATION',
        message: /percent-encoding/,
      },
      {
        what: 'a path parameter longer than the router takes',
        path: `/tasks/${'x'.repeat(600)}`,
        status: 400,
        code: 'VALIDATION',
        message: /path parameter is too long/,
      },
      {
        what: 'a long path parameter the route validates',
        path: `/tasks/${'x'.repeat(300)}`,
        status: 400,
        code: 'VALIDATION',
        message: /task id/,
      },
      ...[
        ['text/plain', 'what is 1 + 1'],
        ['application/xml', '<task>x</task>'],
        ['application/x-www-form-urlencoded', 'task=what+is+1+%2B+1'],
        ['multipart/form-data; boundary=x', '--x--'],
      ].map(([type, body]) => ({
        what: `a ${type} body`,
        method: 'POST',
        path: '/orchestrate',
        headers: { 'content-type': type! },
        body: body!,
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: /application\/json/,
      })),
      {
        what: 'a __proto__ key',
        method: 'POST',
        path: '/orchestrate',
        body: '{"task":"what is 1 + 1","__proto__":{"admin":true}}',
        status: 400,
        code: 'VALIDATION',
        message: /must not contain the key "__proto__"/,
      },
      { what: 'an unknown route', path: '/nope', status: 404, code: 'NOT_FOUND' },
      {
        what: 'a known path, another method',
        method: 'PATCH',
        path: '/tools',
        status: 404,
        code: 'NOT_FOUND',
      },
    ];
    const seen = [];
    for (const c of cases) {
      const r = await fetch(`${gw}${c.path}`, {
        method: c.method ?? 'GET',
        headers: { ...(c.body !== undefined ? json : {}), ...user, ...c.headers },
        ...(c.body !== undefined ? { body: c.body } : {}),
      });
      const requestId = r.headers.get('x-request-id');
      const body = (await r.json()) as { code: string; message: string; requestId: string };
      seen.push({
        what: c.what,
        status: r.status,
        code: body.code,
        message: body.message,
        same: body.requestId === requestId,
      });
      expect(requestId).toEqual(expect.any(String));
    }
    expect(seen).toEqual(
      cases.map((c) => ({
        what: c.what,
        status: c.status,
        code: c.code,
        message: c.message ? expect.stringMatching(c.message) : expect.any(String),
        same: true,
      })),
    );

    // The longest valid user id fits in a path: granted and revoked (mcp-tools serves both).
    const target = `/authorizations/${encodeURIComponent(longUser)}/notes`;
    const granted = await fetch(`${gw}${target}`, { method: 'PUT', headers: admin });
    expect(granted.status).toBe(200);
    expect(await granted.json()).toMatchObject({ userId: longUser, grant: { provider: 'notes' } });
    const revoked = await fetch(`${gw}${target}`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({ userId: longUser, provider: 'notes', revoked: true });
  });
});
