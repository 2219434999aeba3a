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
      return JSON.stringify({
        task: pick(r, VALUES),
        tool_constraints: pick(r, VALUES),
        max_steps: pick(r, VALUES),
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

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => {
      out += d.toString('latin1');
      if (out.includes('\r\n\r\n')) socket.end();
    });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
    socket.write(text, 'latin1');
  });
}

// A few thousand malformed requests against a full stack: nothing may produce a 5xx or take a process down.
describe('gateway fuzz (real stack)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: { gateway: { RATE_LIMIT_PER_MINUTE: '0', RESULT_TIMEOUT_MS: '20000' } },
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
        try {
          const res = await fetch(url, {
            method,
            headers: h,
            ...(b !== undefined ? { body: b } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          status = res.status;
          text = await res.text();
        } catch (e) {
          failures.push(`#${i} ${method} ${url}: ${(e as Error).message}`);
          continue;
        }
        if (status >= 500)
          failures.push(`#${i} ${method} ${url} -> ${status} ${text.slice(0, 300)}`);
        const isJson = text.startsWith('{"code"');
        if (status >= 400 && method !== 'HEAD' && isJson && !/"requestId"/.test(text))
          failures.push(`#${i} envelope without requestId: ${text.slice(0, 200)}`);
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
});
