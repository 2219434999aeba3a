import {
  type ApiError,
  isTaskView,
  RateLimitedError,
  SwitchboardClient,
  type TaskEvent,
  TaskFailedError,
  ValidationError,
} from '@switchboard/client';
import {
  repoRoot,
  type Stack,
  startStack,
  startTcpProxy,
  type TcpProxy,
} from '@switchboard/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { lockNotes } from './support/held-steps.js';

const DEMO = 'what is 17 * 23, then save the result as a note';
const run = promisify(execFile);

/** The Node binaries to run the example with: the project's own, and any other `node` on PATH. */
function nodeBinaries(): string[] {
  const found = new Map([[realpathSync(process.execPath), process.execPath]]);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const node = join(dir, 'node');
    if (dir && existsSync(node) && !found.has(realpathSync(node)))
      found.set(realpathSync(node), node);
  }
  return [...found.values()];
}

/** A program of a user's, type-checked against the installed package alone. */
const TYPED_PROGRAM = `import { RateLimitedError, SwitchboardClient, type TaskEvent } from '@switchboard/client';
const client = new SwitchboardClient({ baseUrl: 'http://127.0.0.1:3000', token: async () => 'a token' });
export async function answer(): Promise<string> {
  try {
    const a = await client.tasks.run({ task: 'what is 6 * 7', tool_constraints: { mode: 'auto' } });
    return a.status === 'completed' ? a.result : a.approval.approvalId;
  } catch (e) {
    if (e instanceof RateLimitedError) return String(e.retryAfterMs);
    throw e;
  }
}
export const last = (e: TaskEvent): boolean => e.name === 'orchestrator.task.completed' && e.data.steps > 0;
`;

/**
 * @switchboard/client against the real gateway (libs/client): every route group through the client,
 * typed errors as the gateway sends them, a stream cut in the middle — the client's connection dropped
 * and the gateway restarted — resumed with no gap and no repeat, a 429 with its retry-after. One stack
 * for the file: one stream per user (MAX_STREAMS_PER_USER=1, so the 429 is one stream away), webhook
 * URLs on loopback allowed. client-package.e2e-spec.ts installs the packed package and runs the example.
 */
describe('@switchboard/client against the real gateway', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  const as = (userId: string, role?: string, baseUrl = stack.gatewayUrl) =>
    new SwitchboardClient({
      baseUrl,
      dev: { userId, ...(role ? { role } : {}) },
      reconnect: { maxDelayMs: 250 },
    });
  const user = () => as(`client-${randomUUID().slice(0, 8)}`);
  const admin = () => as(`root-${randomUUID().slice(0, 8)}`, 'admin');

  beforeAll(async () => {
    stack = await startStack({
      env: {
        gateway: { MAX_STREAMS_PER_USER: '1', SSE_HEARTBEAT_MS: '1000' },
        orchestrator: { WEBHOOK_HTTPS_ONLY: 'false', WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' },
      },
    });
    proxy = await startTcpProxy({ port: stack.services['gateway']!.port });
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  async function all(events: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
    const out: TaskEvent[] = [];
    for await (const e of events) out.push(e);
    return out;
  }

  it('runs a task and gets its answer; submits, reads, lists, follows and cancels tasks', async () => {
    const c = user();
    const answer = await c.tasks.run({ task: 'what is 6 * 7' });
    expect(answer).toMatchObject({ status: 'completed', result: expect.stringContaining('42') });
    const view = await c.tasks.get(answer.task_id);
    expect(isTaskView(view) && view.status).toBe('completed');
    const events = await all(await c.tasks.events(answer.task_id));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.name).toBe('orchestrator.task.completed');
    // Read to its end already: nothing more comes (204).
    expect(await all(await c.tasks.events(answer.task_id, { after: events.at(-1)!.seq }))).toEqual(
      [],
    );
    expect(
      (await c.tasks.list({ status: 'completed', limit: 5 })).tasks.map((t) => t.taskId),
    ).toContain(answer.task_id);
    expect(await c.tasks.cancel(answer.task_id)).toMatchObject({ cancelRequested: false });
    const accepted = await c.tasks.submit({ task: 'what is 2 + 3' });
    expect(accepted).toMatchObject({
      status: 'queued',
      links: { self: `/tasks/${accepted.task_id}` },
    });
    expect((await all(await c.tasks.events(accepted.task_id))).at(-1)!.name).toBe(
      'orchestrator.task.completed',
    );
  });

  it("refusals are typed errors: a 400 names its field, a failed task carries its code, someone else's task is 404", async () => {
    const c = user();
    const empty = await c.tasks.run({ task: '' }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ValidationError);
    expect(empty).toMatchObject({ status: 400, field: 'task', requestId: expect.any(String) });
    const unknownTool = await c.tasks
      .stream({ task: 'x', tool_constraints: { mode: 'custom', tools: ['calculatr'] } })
      .catch((e: unknown) => e);
    expect(unknownTool).toMatchObject({ code: 'VALIDATION', field: 'tool_constraints.tools.0' });
    const failed = await c.tasks.run({ task: 'paint the fence' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect(failed).toMatchObject({ status: 422, taskStatus: 'failed', taskId: expect.any(String) });
    const mine = await c.tasks.submit({ task: 'what is 1 + 1' });
    await expect(user().tasks.get(mine.task_id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });

  it('threads: messages of one conversation, under its policy', async () => {
    const c = user();
    const thread = c.thread(`chat-${randomUUID().slice(0, 8)}`, 'enqueue');
    const first = await thread.run('what is 3 * 3');
    const second = await thread.stream('what is 4 * 4');
    const events = await all(second);
    expect(first.status).toBe('completed');
    const started = events.find((e) => e.name === 'orchestrator.task.started');
    expect(started?.data).toMatchObject({ threadId: thread.id });
    const conflict = await c.tasks
      .submit({ task: 'x', thread_policy: 'reject' })
      .catch((e: unknown) => e);
    expect(conflict).toMatchObject({ code: 'VALIDATION', field: 'thread_policy' });
  });

  it('replay, fork, diff and replay batches', async () => {
    const c = user();
    const demo = await c.tasks.run({ task: DEMO });
    const replay = await c.tasks.replay(demo.task_id);
    expect(replay).toMatchObject({ status: 'queued', run: { kind: 'replay', of: demo.task_id } });
    const replayed = await all(await c.tasks.events(replay.task_id));
    expect(replayed.map((e) => e.name)).toContain('orchestrator.replay.verdict');
    const fork = await c.tasks.fork(demo.task_id, { from_step: 2 });
    expect(fork.run).toMatchObject({ kind: 'fork', of: demo.task_id });
    await all(await c.tasks.events(fork.task_id));
    const diff = await c.tasks.diff(demo.task_id, replay.task_id);
    expect(diff).toMatchObject({ a: { taskId: demo.task_id }, b: { taskId: replay.task_id } });
    await expect(c.tasks.fork(demo.task_id, { from_step: 9 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const batch = await c.replays.create({ taskIds: [demo.task_id] });
    expect((await c.replays.get(batch.batchId)).batchId).toBe(batch.batchId);
    expect((await c.replays.list()).batches.map((b) => b.batchId)).toContain(batch.batchId);
  });

  it('approvals: a held call listed and decided once; approval policies (admins)', async () => {
    const c = user();
    const waiting = await c.tasks.run({ task: DEMO, approval: { tools: ['notes.add'] } });
    expect(waiting.status).toBe('waiting_approval');
    if (waiting.status !== 'waiting_approval') return;
    const { approvalId } = waiting.approval;
    expect((await c.approvals.list()).approvals.map((a) => a.approvalId)).toContain(approvalId);
    expect((await c.approvals.ofTask(waiting.task_id)).approvals).toHaveLength(1);
    const decided = await c.approvals.decide(waiting.task_id, approvalId, { decision: 'approve' });
    expect(decided.status).toBe('approved');
    await expect(
      c.approvals.decide(waiting.task_id, approvalId, { decision: 'approve' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
    expect((await all(await c.tasks.events(waiting.task_id))).at(-1)!.name).toBe(
      'orchestrator.task.completed',
    );
    const root = admin();
    const set = await root.approvals.setPolicy('time.now', { approvers: { roles: ['admin'] } });
    expect(set).toMatchObject({ tool: 'time.now', source: 'override' });
    expect((await root.approvals.policies()).policies.map((p) => p.tool)).toContain('time.now');
    expect(await root.approvals.setPolicy('time.now', null)).toMatchObject({ source: 'none' });
    await expect(c.approvals.setPolicy('time.now', null)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('schedules and webhooks: create, read, change and delete', async () => {
    const c = user();
    const schedule = await c.schedules.create({
      task: 'what is 6 * 7',
      cron: '0 8 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    expect((await c.schedules.get(schedule.scheduleId)).cron).toBe('0 8 * * 1-5');
    expect((await c.schedules.pause(schedule.scheduleId)).status).toBe('paused');
    expect((await c.schedules.resume(schedule.scheduleId)).status).toBe('active');
    expect((await c.schedules.list()).schedules).toHaveLength(1);
    expect((await c.schedules.firings(schedule.scheduleId)).firings).toEqual([]);
    expect(await c.schedules.delete(schedule.scheduleId)).toEqual({
      scheduleId: schedule.scheduleId,
    });
    await expect(c.schedules.create({ task: 'x', cron: '0 8 * *' })).rejects.toMatchObject({
      field: 'cron',
    });

    const hook = await c.webhooks.create({ url: 'http://127.0.0.1:9/hook', events: ['ended'] });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await c.webhooks.get(hook.webhookId)).url).toBe('http://127.0.0.1:9/hook');
    expect((await c.webhooks.list()).webhooks).toHaveLength(1);
    const rotated = await c.webhooks.rotateSecret(hook.webhookId);
    expect((await c.webhooks.secret(hook.webhookId)).secret).toBe(rotated.secret);
    const taskSecret = await c.webhooks.taskSecret();
    expect((await c.webhooks.rotateTaskSecret()).secret).not.toBe(taskSecret.secret);
    expect((await c.webhooks.deliveries({ status: 'dead' })).deliveries).toEqual([]);
    await expect(c.webhooks.redeliver(randomUUID())).rejects.toMatchObject({ status: 404 });
    expect(await c.webhooks.delete(hook.webhookId)).toMatchObject({ webhookId: hook.webhookId });
  });

  it('memory: what a task remembered, listed, searched, edited and forgotten', async () => {
    const c = user();
    await c.tasks.run({ task: 'remember that my favourite number is 7' });
    const [item] = (await c.memory.list()).items;
    expect(item?.content).toBe('my favourite number is 7');
    expect((await c.memory.search('favourite number')).items.map((i) => i.id)).toContain(item!.id);
    expect((await c.memory.update(item!.id, { content: 'my favourite number is 9' })).content).toBe(
      'my favourite number is 9',
    );
    expect(await c.memory.forget(item!.id)).toMatchObject({ id: item!.id, deleted: true });
    expect(await c.memory.forgetNamespace('thread', 'nothing-here')).toMatchObject({ deleted: 0 });
    expect((await c.me()).userId).toBeTruthy();
    expect(await c.memory.forgetUser((await c.me()).userId)).toMatchObject({ verified: true });
  });

  it('usage and quotas; the catalogue; the admin routes for those who may call them', async () => {
    const c = user();
    const ops = as('ops', 'platform-admin');
    const root = admin();
    expect((await c.usage.get()).tenantId).toBe('default');
    const acme = `acme-${randomUUID().slice(0, 6)}`;
    expect(await ops.usage.setQuota(acme, { concurrentTasks: 10 })).toMatchObject({
      source: 'tenant',
    });
    expect((await ops.usage.quota(acme)).quota).toMatchObject({ concurrentTasks: 10 });
    await expect(root.usage.quota(acme)).rejects.toMatchObject({ status: 404 });
    expect(await ops.usage.removeQuota(acme)).toMatchObject({ source: 'none' });

    expect(
      (await c.catalog.tools({ mode: 'custom', providers: ['math'] })).tools.map((t) => t.name),
    ).toContain('calculator');
    // No a2a service in this stack: 503 with its Retry-After (a client that does not wait it out).
    const once = new SwitchboardClient({
      baseUrl: stack.gatewayUrl,
      dev: { userId: 'u' },
      retry: { retries: 0 },
    });
    await expect(once.catalog.agents()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      retryAfterMs: 5000,
    });
    const me = (await c.me()).userId;
    expect((await c.catalog.authorizations()).userId).toBe(me);
    expect(await root.catalog.grant(me, 'notes')).toMatchObject({ userId: me });
    expect(await root.catalog.revoke(me, 'notes')).toMatchObject({ revoked: true });

    expect((await root.admin.audit({ limit: 5 })).entries.length).toBeGreaterThan(0);
    expect(await root.admin.verifyAudit()).toMatchObject({ ok: true, scope: 'tenant' });
    await expect(c.admin.audit()).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect((await root.admin.services()).services.map((s) => s.service)).toContain('gateway');
    for await (const frame of root.admin.live({ commands: false })) {
      expect(frame.event).toBe('ready');
      break; // leaving the loop closes the stream (and frees the stream slot)
    }
    expect((await c.consoleConfig()).authMode).toBe('dev');
    expect(await c.ready()).toBe(true);
    expect(await c.alive()).toBe(true);
    expect(Object.keys((await c.openapi()).paths)).toContain('/orchestrate/stream');
  });

  it('a 429 surfaces as a RateLimitedError with its retry-after (one stream per user here)', async () => {
    const c = user();
    const held = await c.tasks.stream({ task: DEMO, approval: { tools: ['notes.add'] } });
    const second = await c.tasks.events(held.taskId).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitedError);
    expect(second).toMatchObject({ status: 429, limit: 'streams', retryable: true });
    expect((second as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    held.close();
    expect((second as ApiError).requestId).toEqual(expect.any(String));
  });

  it('installs from its packed tarball alone (outside the repository), and the ten-line example runs the demo task and prints its events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-client-install-'));
    try {
      const { stdout } = await run(
        'npm',
        [
          'pack',
          join(repoRoot, 'dist/libs/client'),
          '--pack-destination',
          dir,
          '--json',
          '--cache',
          join(dir, '.npm-cache'),
        ],
        { cwd: dir },
      );
      const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'try-it', private: true, type: 'module' }),
      );
      // Offline, with a cache of its own: nothing shared with the user's npm or another test's.
      const cache = ['--cache', join(dir, '.npm-cache')];
      await run(
        'npm',
        [
          'install',
          `./${filename}`,
          '--offline',
          '--no-audit',
          '--no-fund',
          '--ignore-scripts',
          ...cache,
        ],
        {
          cwd: dir,
        },
      );
      copyFileSync(join(repoRoot, 'examples/client/run-demo.mjs'), join(dir, 'run-demo.mjs'));
      const env: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_URL: stack.gatewayUrl };
      // The example runs as a user runs it: not with jest's flags, nor with the FORCE_COLOR Nx sets
      // for its tasks (Node's console.log then colours the numbers: a CI run read every seq as NaN).
      delete env['NODE_OPTIONS'];
      delete env['FORCE_COLOR'];
      for (const node of nodeBinaries()) {
        const { stdout: printed } = await run(node, ['run-demo.mjs'], {
          cwd: dir,
          env: { ...env, SWITCHBOARD_USER: 'example' },
        });
        const lines = printed
          .trim()
          .split('\n')
          .map((l) => l.split(' '));
        expect(lines.map(([seq]) => Number(seq))).toEqual(lines.map((_, i) => i + 1));
        expect(lines.at(-1)![1]).toBe('orchestrator.task.completed');
      }
      writeFileSync(join(dir, 'check.ts'), TYPED_PROGRAM);
      const compilerOptions = {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: [],
        skipLibCheck: false,
      };
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions, files: ['check.ts'] }),
      );
      await run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir], { cwd: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stream cut in the middle — its connection dropped, the gateway restarted — resumes with no gap and no repeat', async () => {
    const c = as(`cut-${randomUUID().slice(0, 8)}`, undefined, `http://127.0.0.1:${proxy.port}`);
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      const stream = await c.tasks.stream({ task: DEMO });
      const seen: TaskEvent[] = [];
      let cut: Promise<void> | undefined;
      for await (const e of stream) {
        seen.push(e);
        // The task is held in its notes.add step. The client's connection is cut and it cannot reach
        // the gateway (it keeps trying, refused), which restarts meanwhile while the step goes on.
        if (e.name === 'mcp.task.started')
          cut ??= (async () => {
            await proxy.refuse();
            const restarted = stack.restart('gateway');
            await lock.release();
            released = true;
            await restarted;
            await proxy.accept();
          })();
      }
      await cut;
      expect(stream.resumptions).toBeGreaterThan(0);
      expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
      expect(seen.at(-1)!.name).toBe('orchestrator.task.completed');
      // The same events as a reading from the first, uninterrupted.
      expect(await all(await c.tasks.events(stream.taskId))).toEqual(seen);
    } finally {
      if (!released) await lock.release();
    }
  });
});
