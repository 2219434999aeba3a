import { join } from 'node:path';
import { disposableTempDir, freePort, spawnManaged, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo.js';
import { waitFor } from './wait-for.js';

export type ServiceProcessName =
  'gateway' | 'orchestrator' | 'mcp-tools' | 'a2a' | 'audit' | 'xmpp-bridge';

export interface ServiceHandle extends ManagedProcess {
  name: string;
  url: string;
  port: number;
  env: Record<string, string>;
}

/**
 * Starts a real service process from its build output (`dist/apps/<name>/src/main.js`) and waits until
 * its /readiness answers 200. Fails with the process' log when it exits or never becomes ready. An
 * audit service started without TASK_LOG_DIR gets a temporary one (removed when it stops, or when the
 * test process exits), never the working directory's ./logs, which belongs to the dev stack.
 */
export async function startService(
  name: ServiceProcessName | string,
  env: Record<string, string>,
  opts: { logDir?: string; readyTimeoutMs?: number; entry?: string } = {},
): Promise<ServiceHandle> {
  const port = env['PORT'] ? Number(env['PORT']) : await freePort();
  const ownTaskLogs =
    name === 'audit' && !env['TASK_LOG_DIR'] ? disposableTempDir('task-logs') : undefined;
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    ...(ownTaskLogs ? { TASK_LOG_DIR: ownTaskLogs.path } : {}),
    ...env,
    PORT: String(port),
  };
  const removeTaskLogs = () => ownTaskLogs?.remove();
  const entry = opts.entry ?? join(repoRoot, 'dist/apps', name, 'src/main.js');
  // No --enable-source-maps: `npm run up` runs services without it, and loading every module's map
  // cost each start about 0.3 s of CPU (stack traces in the logs name dist/ lines instead).
  const proc = spawnManaged(process.execPath, [entry], {
    env: fullEnv,
    cwd: repoRoot,
    name,
    ...(opts.logDir ? { logDir: opts.logDir } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  // A process that exits during start-up fails at once, not after the readiness deadline.
  let exitCode: number | string | undefined;
  void proc.exited.then((code) => (exitCode = code));
  // The last answer of /readiness, for the error when it never says ready: which check failed.
  let lastAnswer = 'no answer';
  try {
    const outcome = await waitFor(
      async () => {
        if (exitCode !== undefined) return 'exited' as const;
        const r = await fetch(`${url}/readiness`).catch(() => undefined);
        if (r?.status === 200) return 'ready' as const;
        if (r) lastAnswer = `${r.status} ${(await r.text()).slice(0, 1_000)}`;
        return undefined;
      },
      { timeoutMs: opts.readyTimeoutMs ?? 30_000, what: `${name} readiness`, intervalMs: 50 },
    );
    if (outcome === 'exited')
      throw new Error(`${name} exited with ${exitCode} before it was ready`);
  } catch (e) {
    const answer = exitCode === undefined ? `\n--- last /readiness answer ---\n${lastAnswer}` : '';
    await proc.stop(2_000);
    removeTaskLogs();
    throw new Error(
      `${(e as Error).message}${answer}\n--- ${name} log ---\n${proc.logs().slice(-4_000)}`,
      { cause: e },
    );
  }
  return {
    ...proc,
    name,
    url,
    port,
    env: fullEnv,
    stop: async (graceMs) => {
      await proc.stop(graceMs);
      removeTaskLogs();
    },
  };
}

/**
 * Services started at once: all of them, or — when one fails to start — none, the others stopped by
 * PID before the first failure is thrown (a bare Promise.all leaves them running, unreferenced).
 */
export async function allStarted<const T extends readonly Promise<ServiceHandle>[]>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!failed)
    return settled.map((s) => (s as PromiseFulfilledResult<ServiceHandle>).value) as never;
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  await Promise.allSettled(started.map((s) => s.stop()));
  throw failed.reason;
}
