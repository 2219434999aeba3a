import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AuditStream, type StreamContract, TaskSubmissionStream } from '@switchboard/contracts';
import type { PrivateNats, PrivateNatsCluster } from '@switchboard/testing';
import { CHAOS_SETTINGS, REPLICATED, SERVICES, type ServiceName } from './chaos-stack.js';
import type { Fault, FaultContext } from './fault.js';
import { killOrchestratorWhileWaiting, restartEverythingWhileWaiting } from './approval-faults.js';
import { malformedRequests } from './malformed.js';
import { poisonStream } from './poison.js';

/** How long the outages last: the point of each fault, not a wait for something. */
export const OUTAGE_MS = {
  nats: 15_000,
  /** One node of the NATS cluster away: the others elect new leaders and carry on. */
  natsNode: 15_000,
  redis: 30_000,
  auditDb: 30_000,
  llmStall: 15_000,
} as const;
/** Kubernetes' default terminationGracePeriodSeconds: SIGTERM, then SIGKILL after this. */
export const TERM_GRACE_MS = 30_000;

const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a service is busy with when it matters: a note being written for mcp-tools; a delegation
 * streaming across XMPP for a2a, the bridge and the orchestrator (whose tasks must resume it); for the
 * others, tasks running.
 */
function busyWith(name: ServiceName): 'task' | 'tool' | 'agent' {
  if (name === 'mcp-tools') return 'tool';
  if (name === 'a2a' || name === 'xmpp-bridge' || name === 'orchestrator') return 'agent';
  return 'task';
}

/** Starts a service again, as its supervisor would; a service that cannot start is a finding. */
async function restart(ctx: FaultContext, name: ServiceName): Promise<void> {
  try {
    await ctx.stack.start(name);
  } catch (e) {
    ctx.findings.push(`${name} could not be started again: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** kill -9 of a service (`who` names the process: a cell's services share one) while it works. */
function kill(name: ServiceName, who: string = name): Fault {
  return {
    id: `kill-${who}`,
    label: `kill -9 ${who}`,
    quick: name === 'orchestrator' || name === 'mcp-tools',
    refusals: name === 'gateway' ? 'clean' : 'none',
    strike: async (ctx) => {
      await ctx.inFlight(busyWith(name));
      await ctx.stack.services[name].kill();
      const endedAt = Date.now();
      await restart(ctx, name);
      return { endedAt, outage: true };
    },
  };
}

/** SIGTERM of a service (`who`: as for kill) while it works; it must exit 0 within the grace period. */
function term(name: ServiceName, who: string = name): Fault {
  return {
    id: `term-${who}`,
    label: `SIGTERM ${who}`,
    quick: name === 'orchestrator' || name === 'mcp-tools',
    refusals: name === 'gateway' ? 'clean' : 'none',
    strike: async (ctx) => {
      await ctx.inFlight(busyWith(name));
      const service = ctx.stack.services[name];
      const sent = Date.now();
      await service.stop(TERM_GRACE_MS);
      const endedAt = Date.now();
      const exit = await service.exited;
      ctx.notes.push(
        `${who} exited ${exit} ${((endedAt - sent) / 1000).toFixed(1)} s after SIGTERM`,
      );
      if (exit === 'SIGKILL')
        ctx.findings.push(`${who} did not exit within ${TERM_GRACE_MS / 1000} s of SIGTERM`);
      else if (exit !== 0) ctx.findings.push(`${who} exited ${exit} after SIGTERM, not 0`);
      await restart(ctx, name);
      return { endedAt, outage: true };
    },
  };
}

const natsDown: Fault = {
  id: 'nats-down',
  label: `NATS down ${OUTAGE_MS.nats / 1000} s`,
  // In CI on the cell (`--cell`: the shape `npm run up` runs), not again on the single stack.
  quick: false,
  refusals: 'clean',
  strike: async (ctx) => {
    await ctx.inFlight('task');
    await ctx.stack.nats.stop();
    await hold(OUTAGE_MS.nats);
    await ctx.stack.nats.start();
    return { endedAt: Date.now(), outage: true };
  },
};

const redisDown: Fault = {
  id: 'redis-down',
  label: `Redis down ${OUTAGE_MS.redis / 1000} s`,
  // In CI on the cell (`--cell`: the shape `npm run up` runs), not again on the single stack.
  quick: false,
  refusals: 'none',
  strike: async (ctx) => {
    await ctx.inFlight('task');
    await ctx.stack.redis.stop();
    await hold(OUTAGE_MS.redis);
    await ctx.stack.redis.start();
    return { endedAt: Date.now(), outage: true };
  },
};

const auditDbRefusing: Fault = {
  id: 'audit-db-refusing',
  label: `audit DB refusing ${OUTAGE_MS.auditDb / 1000} s`,
  quick: false,
  refusals: 'none',
  strike: async (ctx) => {
    await ctx.inFlight('task');
    await ctx.stack.auditDbProxy.refuse();
    await hold(OUTAGE_MS.auditDb);
    await ctx.stack.auditDbProxy.accept();
    return { endedAt: Date.now(), outage: true };
  },
};

function poison(stream: StreamContract): Fault {
  return {
    id: `poison-${stream.name}`,
    label: `poison ${stream.name}`,
    quick: true,
    refusals: 'none',
    strike: async (ctx) => {
      await ctx.inFlight('task');
      ctx.findings.push(...(await poisonStream(ctx.stack.nats.url, stream, ctx.deadLetterLines)));
      return { endedAt: Date.now(), outage: false };
    },
  };
}

const malformed: Fault = {
  id: 'malformed',
  label: 'malformed requests',
  // In CI on the cell (`--cell`: the shape `npm run up` runs), not again on the single stack.
  quick: false,
  refusals: 'none',
  strike: async (ctx) => {
    await ctx.inFlight('task');
    ctx.findings.push(...(await malformedRequests(ctx.stack.nats.url)));
    return { endedAt: Date.now(), outage: false };
  },
};

/** The orchestrator on the LLM planner with streamed answers, pointed at the run's LLM server. */
async function usePlanner(ctx: FaultContext, planner: 'llm' | 'builtin'): Promise<void> {
  await ctx.stack.services.orchestrator.stop(TERM_GRACE_MS);
  const llm = planner === 'llm' ? await ctx.llm() : undefined;
  await ctx.stack.start(
    'orchestrator',
    llm
      ? {
          PLANNER: 'llm',
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-chaos-0123456789',
          LLM_MODEL: 'chaos-model',
          LLM_STREAM: 'true',
          LLM_STREAM_IDLE_MS: String(CHAOS_SETTINGS.LLM_STREAM_IDLE_MS),
        }
      : {},
  );
}

const llmStall: Fault = {
  id: 'llm-stall',
  label: `LLM answers stall ${OUTAGE_MS.llmStall / 1000} s`,
  quick: false,
  refusals: 'none',
  setup: (ctx) => usePlanner(ctx, 'llm'),
  strike: async (ctx) => {
    await ctx.inFlight('task');
    const llm = await ctx.llm();
    llm.stall(true);
    await hold(OUTAGE_MS.llmStall);
    llm.stall(false);
    ctx.notes.push(`${llm.stalled} streamed LLM answers stalled while it lasted`);
    return { endedAt: Date.now(), outage: true };
  },
  teardown: (ctx) => usePlanner(ctx, 'builtin'),
};

/** kill -9 of one of a service's two replicas while it works (the other carries on), then its restart. */
function killReplica(name: ServiceName): Fault {
  return {
    ...kill(name),
    id: `kill-replica-${name}`,
    label: `kill -9 one ${name}`,
    quick: false,
    cluster: true,
  };
}

/** The node of the cluster that leads `stream` (its writes go through the leader). */
async function streamLeader(cluster: PrivateNatsCluster, stream: string): Promise<PrivateNats> {
  const nc = await connect({ servers: cluster.urls, name: 'chaos-leader' });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    return cluster.node(info.cluster?.leader ?? 'n0');
  } finally {
    await nc.close();
  }
}

const killNatsNode: Fault = {
  id: 'kill-nats-node',
  label: `kill -9 a NATS node ${OUTAGE_MS.natsNode / 1000} s`,
  quick: false,
  cluster: true,
  // Requests caught on the dying node's connections may be answered 503 while clients move over.
  refusals: 'clean',
  strike: async (ctx) => {
    const cluster = ctx.stack.natsCluster;
    if (!cluster) throw new Error('kill-nats-node needs the cluster stack (--cluster)');
    await ctx.inFlight('task');
    // The task queue's leader: the node whose loss matters most.
    const node = await streamLeader(cluster, TaskSubmissionStream.name);
    await node.kill();
    await hold(OUTAGE_MS.natsNode);
    await node.start();
    return { endedAt: Date.now(), outage: true };
  },
};

/** The faults of a cluster run: a NATS node, then one replica of each replicated service. */
export const CLUSTER_FAULTS: readonly Fault[] = [killNatsNode, ...REPLICATED.map(killReplica)];

/** Every fault, in the order a full run injects them. */
export const FAULTS: readonly Fault[] = [
  ...SERVICES.map((n) => kill(n)),
  ...SERVICES.map((n) => term(n)),
  killOrchestratorWhileWaiting,
  restartEverythingWhileWaiting,
  natsDown,
  redisDown,
  auditDbRefusing,
  // The streams durable consumers read: the task queue (the orchestrator) and the audit records in
  // transit (the audit service). Task events are heard live and read from the journal, with no consumer
  // on SB_TASK_EVENTS; the dead letters' reader is a person; delegation records are read one by one.
  ...[TaskSubmissionStream, AuditStream].map(poison),
  malformed,
  llmStall,
];

/**
 * The faults of a cell run (`--cell`: every service in one process, as `npm run up` runs them). The
 * cell dies or stops as a whole — killed while a note is being written, stopped while a delegation
 * crosses XMPP, killed while a task waits for approval — and the outages and bad input of a single
 * stack reach it too. Faults between services (one killed while the others run) need a process each.
 */
export const CELL_FAULTS: readonly Fault[] = [
  {
    ...kill('mcp-tools', 'cell'),
    label: 'kill -9 the cell while a note is written',
    refusals: 'clean',
  },
  {
    ...term('orchestrator', 'cell'),
    label: 'SIGTERM the cell while a delegation runs',
    refusals: 'clean',
  },
  {
    ...killOrchestratorWhileWaiting,
    id: 'kill-cell-waiting-approval',
    label: 'kill -9 the cell while a task waits for approval',
    refusals: 'clean',
  },
  restartEverythingWhileWaiting,
  natsDown,
  redisDown,
  malformed,
];
