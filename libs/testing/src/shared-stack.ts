import type { NatsIdentity } from '@switchboard/contracts';
import type { NatsSettings } from '@switchboard/messaging';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestDatabase, testDatabaseAt } from './postgres.js';
import { startStack } from './stack.js';

/**
 * What a test file gets of the stack its jest worker shares: enough to drive it (the gateway, the
 * databases, the NATS identities) and to check that the server refused nothing of its own traffic — no
 * restart, no stop: a file that needs those owns a stack (startStack).
 */
export interface SharedStack {
  gatewayUrl: string;
  dbs: { orchestrator: TestDatabase; tools: TestDatabase; audit: TestDatabase };
  natsUrl: string;
  natsSettings(identity: NatsIdentity): NatsSettings;
  /** The permission violations the NATS server logged since this file took the stack. */
  violations(): string[];
  /** Each service's URL and log file. */
  services: Record<string, { url: string; port: number; pid: number; logFile: string }>;
  logDir: string;
  redisPrefix: string;
  /** Nothing for a shared stack (the run's global teardown stops it); stops a private one. */
  stop(): Promise<void>;
}

/** The descriptor a worker writes once its shared stack runs; read by its next files and the teardown. */
export interface SharedStackRecord {
  gatewayUrl: string;
  natsUrl: string;
  natsLogFile: string;
  identities: Record<string, NatsSettings>;
  databases: { orchestrator: string; tools: string; audit: string };
  services: SharedStack['services'];
  logDir: string;
  taskLogDir: string;
  redisPrefix: string;
  /** What the teardown stops by PID (services first, NATS last) and removes. */
  pids: number[];
  dirs: string[];
}

/**
 * The stack this jest worker shares among the test files that need no private topology: the default
 * platform (mcp-tools, audit, orchestrator, gateway; NATS identities enforced; no tenancy) as one
 * cell, the shape users run (startStack({ shape: 'cell' })). The first file of a worker starts it and records it in SB_SHARED_STACKS (a
 * directory the e2e project's global setup makes); the worker's later files reuse it; the run's global
 * teardown stops it by PID, drops its databases and deletes its Redis keys. Files sharing a stack keep
 * apart by fresh users and ids, never by global settings. Outside such a run (no SB_SHARED_STACKS) the
 * file gets a private stack, stopped by stop().
 */
export async function sharedStack(): Promise<SharedStack> {
  const dir = process.env['SB_SHARED_STACKS'];
  if (!dir || !existsSync(dir)) {
    const stack = await startStack({ shape: 'cell' });
    return view(recordOf(stack), () => stack.stop());
  }
  const file = join(dir, `worker-${process.env['JEST_WORKER_ID'] ?? '1'}.json`);
  if (existsSync(file)) return view(JSON.parse(readFileSync(file, 'utf8')) as SharedStackRecord);
  const record = recordOf(await startStack({ shape: 'cell' }));
  writeFileSync(file, JSON.stringify(record));
  return view(record);
}

function recordOf(stack: Awaited<ReturnType<typeof startStack>>): SharedStackRecord {
  const nats = stack.securedNats;
  if (!nats) throw new Error('a shared stack enforces NATS identities');
  const services = Object.fromEntries(
    Object.entries(stack.services).map(([name, s]) => [
      name,
      { url: s.url, port: s.port, pid: s.pid, logFile: s.logFile },
    ]),
  );
  return {
    gatewayUrl: stack.gatewayUrl,
    natsUrl: nats.url,
    natsLogFile: nats.process.logFile,
    identities: Object.fromEntries(
      Object.entries(nats.identities).map(([id, access]) => [id, access.nats]),
    ),
    databases: {
      orchestrator: stack.dbs.orchestrator.name,
      tools: stack.dbs.tools.name,
      audit: stack.dbs.audit.name,
    },
    services,
    logDir: stack.logDir,
    taskLogDir: stack.taskLogDir,
    redisPrefix: stack.redisPrefix,
    // the cell's services share its one PID
    pids: [...new Set(Object.values(services).map((s) => s.pid)), nats.process.pid],
    dirs: [stack.taskLogDir],
  };
}

const violationLines = (logFile: string): string[] => {
  try {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => /Violation/.test(l));
  } catch {
    return [];
  }
};

/** A shared stack is stopped by the run's global teardown, never by a file. */
const keepRunning = (): Promise<void> => Promise.resolve();

function view(r: SharedStackRecord, stop: () => Promise<void> = keepRunning): SharedStack {
  const before = violationLines(r.natsLogFile).length;
  return {
    gatewayUrl: r.gatewayUrl,
    natsUrl: r.natsUrl,
    dbs: {
      orchestrator: testDatabaseAt(r.databases.orchestrator),
      tools: testDatabaseAt(r.databases.tools),
      audit: testDatabaseAt(r.databases.audit),
    },
    natsSettings: (identity) => {
      const settings = r.identities[identity];
      if (!settings) throw new Error(`the shared stack has no NATS identity ${identity}`);
      return settings;
    },
    violations: () => violationLines(r.natsLogFile).slice(before),
    services: r.services,
    logDir: r.logDir,
    redisPrefix: r.redisPrefix,
    stop,
  };
}
