import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import {
  connectAs,
  readSse,
  type ServiceHandle,
  type SseEvent,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';

interface TaskRow {
  taskId: string;
  userId: string;
  status: string;
  task: string;
  steps: number;
  createdAt: string;
  durationMs?: number;
}

// The routes the web console adds, on a real gateway with the task pipeline behind it (no a2a and no
// xmpp-bridge: the Health view must say so).
describe('console routes (real gateway, orchestrator, mcp-tools and audit)', () => {
  let stack: Stack;
  let gateway: ServiceHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await startStack({ services: ['mcp-tools', 'audit', 'orchestrator'] });
    gateway = await startService(
      'gateway',
      {
        ...stack.envOf('gateway'),
        AUTH_MODE: 'dev',
        RATE_LIMIT_PER_MINUTE: '0',
        LIVE_MAX_PAYLOAD_BYTES: '1024',
      },
      { logDir: stack.logDir },
    );
    // a2a: the identity that sends the bridge's commands, as the test does below
    nc = await connectAs(stack.securedNats!.identities.a2a);
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await gateway?.stop();
    await stack?.stop();
  });

  const as = (user: string, role = 'user') => ({ 'x-user-id': user, 'x-user-role': role });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { headers });
  const runTask = async (user: string, task: string): Promise<string> => {
    const r = await fetch(`${gateway.url}/orchestrate`, {
      method: 'POST',
      headers: { ...as(user), 'content-type': 'application/json' },
      body: JSON.stringify({ task }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { task_id: string }).task_id;
  };

  describe('GET /tasks', () => {
    const ids: string[] = [];
    beforeAll(async () => {
      for (const n of [1, 2, 3, 4, 5]) ids.push(await runTask('lister', `what is ${n} * 2`));
      await runTask('other', 'what is 7 * 7');
    });

    it("lists the caller's tasks newest first, with status, steps and duration", async () => {
      const r = await get('/tasks', as('lister'));
      expect(r.status).toBe(200);
      const { tasks } = (await r.json()) as { tasks: TaskRow[] };
      expect(tasks.map((t) => t.taskId)).toEqual([...ids].reverse());
      expect(tasks[0]).toMatchObject({
        userId: 'lister',
        status: 'completed',
        task: 'what is 5 * 2',
        steps: 1,
      });
      expect(tasks[0]!.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('pages without skipping or repeating a task', async () => {
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 5; page++) {
        const r = await get(`/tasks?limit=2${before ? `&before=${before}` : ''}`, as('lister'));
        const body = (await r.json()) as { tasks: TaskRow[]; nextBefore?: string };
        seen.push(...body.tasks.map((t) => t.taskId));
        before = body.nextBefore;
        if (!before) break;
      }
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by status and text', async () => {
      const failed = (await (await get('/tasks?status=failed', as('lister'))).json()) as {
        tasks: TaskRow[];
      };
      expect(failed.tasks).toEqual([]);
      const three = (await (await get('/tasks?q=3%20*', as('lister'))).json()) as {
        tasks: TaskRow[];
      };
      expect(three.tasks.map((t) => t.task)).toEqual(['what is 3 * 2']);
    });

    it("shows admins everyone's tasks or one user's, and refuses another user's to a user (403, audited)", async () => {
      const all = (await (await get('/tasks?limit=200', as('boss', 'admin'))).json()) as {
        tasks: TaskRow[];
      };
      expect(new Set(all.tasks.map((t) => t.userId))).toEqual(new Set(['lister', 'other']));
      const one = (await (await get('/tasks?user_id=other', as('boss', 'admin'))).json()) as {
        tasks: TaskRow[];
      };
      expect(one.tasks.map((t) => t.userId)).toEqual(['other']);
      const refused = await get('/tasks?user_id=other', as('lister'));
      expect(refused.status).toBe(403);
      await waitFor(
        async () => {
          const r = await get('/audit?user_id=lister&action=task.list.denied', as('boss', 'admin'));
          return ((await r.json()) as { entries: unknown[] }).entries.length > 0;
        },
        { what: 'the audited refusal' },
      );
    });

    it('refuses bad parameters, naming them', async () => {
      for (const [query, name] of [
        ['status=done', 'status'],
        ['before=yesterday', 'before'],
        ['limit=500', 'limit'],
        ['colour=red', 'colour'],
      ] as const) {
        const r = await get(`/tasks?${query}`, as('lister'));
        expect(r.status).toBe(400);
        expect(((await r.json()) as { message: string }).message).toContain(name);
      }
    });
  });

  describe('GET /live', () => {
    /** A viewer of commands is gone once requests to an absent service fail fast again. */
    const released = () =>
      waitFor(
        async () => {
          const { services } = (await (await get('/services', as('lister'))).json()) as {
            services: { service: string; problem?: string }[];
          };
          return services.find((x) => x.service === 'a2a')?.problem === 'no replica is running';
        },
        { what: "the Live viewer's command subscription released", timeoutMs: 30_000 },
      );

    it('refuses users (403)', async () => {
      expect((await get('/live', as('lister'))).status).toBe(403);
    });

    it('streams the traffic of one task to an admin, once subscribed', async () => {
      const ac = new AbortController();
      const r = await fetch(`${gateway.url}/live?user_id=watched&commands=true`, {
        headers: as('boss', 'admin'),
        signal: ac.signal,
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/event-stream');
      const frames = readSse(r);
      expect((await frames.next()).value).toMatchObject({ event: 'ready' });
      const taskId = await runTask('watched', 'what is 2 * 21');
      const seen: SseEvent[] = [];
      for await (const f of frames) {
        seen.push(f);
        if (f.data.includes('orchestrator.task.completed')) break;
      }
      ac.abort();
      await released();
      const messages = seen.map(
        (f) => JSON.parse(f.data) as { subject: string; userId?: string; taskId?: string },
      );
      expect(messages.every((m) => m.userId === 'watched')).toBe(true);
      const subjects = messages.map((m) => m.subject);
      expect(subjects).toContain('sb.task.submit');
      expect(subjects).toContain(`sb.cmd.tools.call.${taskId}`);
      expect(subjects).toContain(`sb.evt.task.${taskId}.default.orchestrator.task.started`);
      expect(seen.map((f) => Number(f.id))).toEqual(seen.map((_, i) => i + 1));
    });

    it('redacts secrets and cuts large payloads', async () => {
      const ac = new AbortController();
      const r = await fetch(`${gateway.url}/live?service=xmpp-bridge&commands=true`, {
        headers: as('boss', 'admin'),
        signal: ac.signal,
      });
      const frames = readSse(r);
      await frames.next(); // ready
      const h = natsHeaders();
      h.set('x-sb-source', 'a2a');
      const body = {
        pattern: 'sb.cmd.xmpp.http.request',
        id: '1',
        data: {
          method: 'POST',
          url: 'http://researcher.agents.switchboard.local/a2a',
          headers: [['Authorization', 'Bearer live-secret-token']],
          body: { encoding: 'text', data: 'x' },
        },
      };
      nc.publish('sb.cmd.xmpp.http.request', JSON.stringify(body), { headers: h });
      nc.publish(
        'sb.cmd.xmpp.http.request',
        JSON.stringify({ ...body, data: { ...body.data, big: 'y'.repeat(5_000) } }),
        {
          headers: h,
        },
      );
      const first = await frames.next();
      const second = await frames.next();
      ac.abort();
      await released();
      expect(first.value?.data).not.toContain('live-secret-token');
      expect(JSON.parse(first.value!.data)).toMatchObject({
        kind: 'command',
        source: 'a2a',
        target: 'xmpp-bridge',
        data: { headers: [['Authorization', '[redacted]']] },
      });
      const cut = JSON.parse(second.value!.data) as { truncated: boolean; data: string };
      expect(cut.truncated).toBe(true);
      expect(cut.data.length).toBeLessThanOrEqual(1_025);
      expect(cut.data).not.toContain('live-secret-token');
    });
  });

  it("without commands, a Live viewer leaves NATS' fast 'no responders' failure intact", async () => {
    const ac = new AbortController();
    const r = await fetch(`${gateway.url}/live`, {
      headers: as('boss', 'admin'),
      signal: ac.signal,
    });
    const frames = readSse(r);
    expect(JSON.parse((await frames.next()).value!.data)).toMatchObject({ commands: false });
    const services = (await (await get('/services', as('lister'))).json()) as {
      services: { service: string; problem?: string }[];
    };
    ac.abort();
    // a2a has no replica: NATS says so at once ("no responders"), not a timeout.
    expect(services.services.find((s) => s.service === 'a2a')?.problem).toBe(
      'no replica is running',
    );
  });

  it('GET /services: every service, the absent ones as unreachable', async () => {
    const r = await get('/services', as('lister'));
    expect(r.status).toBe(200);
    const { services } = (await r.json()) as {
      services: { service: string; reachable: boolean; status: string; problem?: string }[];
    };
    expect(services.map((s) => [s.service, s.reachable, s.status])).toEqual([
      ['gateway', true, 'up'],
      ['orchestrator', true, 'up'],
      ['mcp-tools', true, 'up'],
      ['a2a', false, 'down'],
      ['audit', true, 'up'],
      ['xmpp-bridge', false, 'down'],
    ]);
    expect(services[3]!.problem).toBe('no replica is running');
  });

  it('GET /me names the caller as the gateway authenticated them', async () => {
    // tenancy off: everyone is in the tenant `default`, and an admin is no platform operator
    expect(await (await get('/me', as('boss', 'admin'))).json()).toEqual({
      userId: 'boss',
      role: 'admin',
      admin: true,
      tenantId: 'default',
      tenancy: false,
      platformAdmin: false,
      authMode: 'dev',
    });
  });

  describe('the console files', () => {
    it('redirects /console to /console/, served with a strict CSP', async () => {
      const bare = await fetch(`${gateway.url}/console`, { redirect: 'manual' });
      expect(bare.status).toBe(308);
      expect(bare.headers.get('location')).toBe('console/');
      const page = await get('/console/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      const html = await page.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/[^"]+\.js">/);
      const settings = await (await get('/console/config.json')).json();
      expect(settings).toEqual({ authMode: 'dev', version: '0.1.0', defaultUserId: 'dev-user' });
      // the same user the gateway named at start-up
      expect(gateway.logs()).toContain('a request without X-User-Id runs as');
      expect(gateway.logs()).toContain('"defaultUserId":"dev-user"');
    });

    it('serves hashed assets compressed and cacheable, answers 304 to a known ETag, 404 otherwise', async () => {
      const html = await (await get('/console/')).text();
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
      const r = await get(`/console/${script}`, { 'accept-encoding': 'br, gzip' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-encoding')).toBe('br');
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      // fetch decodes it: what came over the wire (content-length) is smaller than the script.
      const script_ = Buffer.from(await r.arrayBuffer()).toString('utf8');
      expect(Number(r.headers.get('content-length'))).toBeLessThan(script_.length / 2);
      expect(script_).toMatch(/^(import|const|var|let|function|\(|\/\*|!)/);
      const again = await get(`/console/${script}`, { 'if-none-match': r.headers.get('etag')! });
      expect(again.status).toBe(304);
      for (const path of ['/console/assets/nope.js', '/console/assets/..%2F..%2Fpackage.json']) {
        const missing = await get(path);
        expect(missing.status).toBe(404);
        expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
    });

    it('is not served with CONSOLE_ENABLED=false', async () => {
      const off = await startService(
        'gateway',
        { ...stack.envOf('gateway'), AUTH_MODE: 'dev', CONSOLE_ENABLED: 'false' },
        { logDir: stack.logDir },
      );
      try {
        for (const path of ['/console/', '/console/config.json']) {
          const r = await fetch(`${off.url}${path}`);
          expect(r.status).toBe(404);
          expect(((await r.json()) as { message: string }).message).toContain('CONSOLE_ENABLED');
        }
      } finally {
        await off.stop();
      }
    });
  });
});
