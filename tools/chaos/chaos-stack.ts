import {
  createTestDatabase,
  disposableTempDir,
  type PrivateNatsCluster,
  type PrivateProsody,
  type PrivateRedis,
  repoRoot,
  type PrivateNats,
  type ServiceHandle,
  startNatsCluster,
  startPrivateProsody,
  startPrivateRedis,
  startPrivateNats,
  startService,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
  tempDir,
  TEST_PG_URL,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import {
  type ChaosProcesses,
  cellProcess,
  SERVICES,
  type ServiceName,
  serviceProcesses,
} from './chaos-processes.js';
import { join } from 'node:path';

export { SERVICES, replicaLabel, type Replica, type ServiceName } from './chaos-processes.js';

/** The services that run as two replicas on a cluster (the xmpp-bridge owns its XMPP login: one). */
export const REPLICATED: readonly ServiceName[] = SERVICES.filter((s) => s !== 'xmpp-bridge');

export const AGENTS = ['researcher', 'writer'] as const;
export type AgentName = (typeof AGENTS)[number];

const DOMAIN = 'agents.switchboard.local';
export const agentHost = (agent: AgentName) => `${agent}.${DOMAIN}`;

/**
 * The settings the chaos stack runs with, beyond the services' defaults. Each is a production setting
 * shortened so that one fault fits in a minute; docs/reliability.md lists them.
 */
export const CHAOS_SETTINGS = {
  /** Every task's wall-time budget: "stuck past its budget" is measured against it. */
  TASK_TIMEOUT_MS: 60_000,
  /** How soon JetStream hands the task of a dead orchestrator to the restarted one (30 s by default). */
  TASK_ACK_WAIT_MS: 10_000,
  /** Pause between the sample agents' work steps: a delegation takes a few seconds, so some are in flight. */
  AGENT_STEP_DELAY_MS: 800,
  /** How long a streamed LLM answer may be silent before it is asked for again (30 s by default). */
  LLM_STREAM_IDLE_MS: 5_000,
} as const;

/** The private stack; `replicas`, `start` and `startAll` as ChaosProcesses say, for either shape. */
export interface ChaosStack extends Pick<ChaosProcesses, 'replicas' | 'start' | 'startAll'> {
  /** The NATS server the suite's own clients use (on a cluster: its first node). */
  nats: PrivateNats;
  /** The three-node cluster, when the stack runs on one (`--cluster`). */
  natsCluster: PrivateNatsCluster | undefined;
  redis: PrivateRedis;
  /** Between the audit service and PostgreSQL: refuse() is the audit database refusing connections. */
  auditDbProxy: TcpProxy;
  dbs: { orchestrator: TestDatabase; tools: TestDatabase; audit: TestDatabase };
  prosody: PrivateProsody;
  /** The first replica of each service (in a cell: its view of the one process). */
  readonly services: Record<ServiceName, ServiceHandle>;
  agents: Record<AgentName, ServiceHandle>;
  logDir: string;
  /** A gateway that is up (with several replicas, the next one in turn: a load balancer's choice). */
  readonly gatewayUrl: string;
  stop(): Promise<void>;
}

/**
 * The whole platform as real processes, private to one chaos run: its own nats-server (JetStream,
 * restartable on its port and store), its own redis-server, fresh migrated databases on the machine's
 * PostgreSQL (the audit service's reached through a TCP proxy the run can cut), its own Prosody with
 * the sample researcher and writer agents behind their own bridges, and the six services. With
 * `cluster`, a three-node NATS cluster with streams of three replicas instead, and two replicas of
 * every service but the xmpp-bridge.
 */
export async function startChaosStack(
  opts: { log?: (line: string) => void; cluster?: boolean; cell?: boolean } = {},
): Promise<ChaosStack> {
  const log = opts.log ?? (() => undefined);
  const logDir = tempDir('chaos-logs');
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const natsCluster = opts.cluster ? await startNatsCluster() : undefined;
    const nats = natsCluster?.nodes[0] ?? (await startPrivateNats());
    cleanups.push(() => (natsCluster ? natsCluster.stop() : nats.stop()));
    const natsServers = natsCluster ? natsCluster.urls.join(',') : nats.url;
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const [orchestrator, tools, audit] = await Promise.all([
      createTestDatabase('chaos_orch', 'orchestrator'),
      createTestDatabase('chaos_tools', 'mcp-tools'),
      createTestDatabase('chaos_audit', 'audit'),
    ]);
    const dbs = { orchestrator, tools, audit };
    cleanups.push(() => Promise.allSettled(Object.values(dbs).map((d) => d.drop())));
    const pg = new URL(TEST_PG_URL);
    const auditDbProxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    cleanups.push(() => auditDbProxy.stop());
    const auditUrl = new URL(audit.url);
    auditUrl.hostname = '127.0.0.1';
    auditUrl.port = String(auditDbProxy.port);
    log(
      `nats ${natsServers}, redis ${redis.url}, databases ${Object.values(dbs)
        .map((d) => d.name)
        .join(' ')}`,
    );

    const passwords = Object.fromEntries(
      ['platform', ...AGENTS].map((u) => [u, `pw-${u}-${randomUUID()}`]),
    );
    const prosody = await startPrivateProsody({
      accounts: Object.entries(passwords).map(([user, password]) => ({
        user,
        host: DOMAIN,
        password,
      })),
    });
    cleanups.push(() => prosody.stop());
    const xmpp = (user: string) => ({
      AZTM_JID: `${user}@${DOMAIN}`,
      AZTM_PASSWORD: passwords[user] ?? '',
      AZTM_HOST: '127.0.0.1',
      AZTM_PORT: String(prosody.c2sPort),
      AZTM_TLS: 'starttls',
      XMPP_BRIDGE_CA_FILE: prosody.caFile,
    });

    const agents = await startAgents(xmpp, logDir, cleanups);
    log(`prosody on ${prosody.c2sPort}, agents ${AGENTS.join(' and ')} behind their bridges`);

    const serviceMap = AGENTS.map((a) => `${agentHost(a)}=${a}@${DOMAIN}`).join(',');
    const common = {
      NATS_SERVERS: natsServers,
      LOG_LEVEL: 'info',
      ...(natsCluster ? { JETSTREAM_REPLICAS: '3' } : {}),
    };
    const envOf: Record<ServiceName, Record<string, string>> = {
      'mcp-tools': { DATABASE_URL: tools.url, REDIS_URL: redis.url },
      // Per-task log files have one writer: replicas of the audit service write none (as the chart).
      audit: natsCluster
        ? { DATABASE_URL: auditUrl.toString(), TASK_LOGS_ENABLED: 'false' }
        : {
            DATABASE_URL: auditUrl.toString(),
            TASK_LOG_DIR: disposableTempDir('chaos-task-logs').path,
          },
      orchestrator: {
        DATABASE_URL: orchestrator.url,
        REDIS_URL: redis.url,
        TASK_TIMEOUT_MS: String(CHAOS_SETTINGS.TASK_TIMEOUT_MS),
        TASK_ACK_WAIT_MS: String(CHAOS_SETTINGS.TASK_ACK_WAIT_MS),
      },
      'xmpp-bridge': { ...xmpp('platform'), SERVICE_MAP: serviceMap, AZTM_SERVER_MODE: 'false' },
      a2a: {
        REDIS_URL: redis.url,
        SERVICE_MAP: serviceMap,
        A2A_AGENTS: AGENTS.map((a) => `${a}=http://${agentHost(a)}`).join(','),
      },
      gateway: { AUTH_MODE: 'dev', REDIS_URL: redis.url },
    };
    const envFor = (name: ServiceName) => ({ ...common, ...envOf[name] });
    const processes = opts.cell
      ? await cellProcess(envFor, logDir)
      : await serviceProcesses(envFor, logDir, natsCluster ? REPLICATED : []);
    cleanups.push(() => processes.stop());
    const replicas = processes.replicas;
    log(
      `services ready${opts.cell ? ' in one cell' : ''}: ${replicas()
        .map((r) => `${r.label} :${r.handle.port}`)
        .join(', ')}`,
    );
    let turn = 0;
    return {
      nats,
      natsCluster,
      redis,
      auditDbProxy,
      dbs,
      prosody,
      get services() {
        return processes.services();
      },
      replicas,
      agents,
      logDir,
      get gatewayUrl() {
        const up = processes.gateways().filter(isUp);
        const choices = up.length ? up : processes.gateways();
        return (choices[turn++ % choices.length] as ServiceHandle).url;
      },
      start: (name, overrides, index) => processes.start(name, overrides, index),
      startAll: () => processes.startAll(),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Whether the process still runs (it neither exited nor was killed). */
const isUp = (h: ServiceHandle): boolean =>
  h.child.exitCode === null && h.child.signalCode === null;

/** The sample agents, each serving A2A on a unix socket only its own bridge (server mode) reaches. */
async function startAgents(
  xmpp: (user: string) => Record<string, string>,
  logDir: string,
  cleanups: (() => Promise<unknown>)[],
): Promise<Record<AgentName, ServiceHandle>> {
  // Removed when the run exits, like the task logs; the services' own logs stay for post-mortems.
  const socketDir = disposableTempDir('chaos-sockets').path;
  const agents = {} as Record<AgentName, ServiceHandle>;
  for (const agent of AGENTS) {
    const socket = join(socketDir, `${agent}.sock`);
    agents[agent] = await startService(
      `agent-${agent}`,
      {
        NODE_OPTIONS: '--import tsx',
        AGENT_KIND: agent,
        PUBLIC_URL: `http://${agentHost(agent)}`,
        AGENT_SOCKET: socket,
        AGENT_STEP_DELAY_MS: String(CHAOS_SETTINGS.AGENT_STEP_DELAY_MS),
      },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir, readyTimeoutMs: 60_000 },
    );
    const agentProcess = agents[agent];
    cleanups.push(() => agentProcess.stop(5_000));
    const bridge = await startService(
      `bridge-${agent}`,
      {
        ...xmpp(agent),
        XMPP_BRIDGE_NATS_COMMANDS: 'false',
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
        XMPP_BRIDGE_HTTP_TARGET: `http://${agentHost(agent)}`,
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: socket,
      },
      {
        entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'),
        logDir,
        readyTimeoutMs: 60_000,
      },
    );
    cleanups.push(() => bridge.stop(5_000));
  }
  return agents;
}
