import { AgentCard, type AgentInterface } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { chmodSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AgentConfig } from './agent.config.js';
import { SkillExecutor } from './skill.executor.js';
import { researchSkill } from './skills/researcher.skill.js';
import type { Skill } from './skills/skill.js';
import { draftSkill } from './skills/writer.skill.js';

const SKILLS: Record<
  AgentConfig['AGENT_KIND'],
  { skill: Skill; name: string; description: string }
> = {
  researcher: {
    skill: researchSkill,
    name: 'Researcher',
    description:
      'Researches a topic in its offline library and reports findings with sources. Deterministic (no model).',
  },
  writer: {
    skill: draftSkill,
    name: 'Writer',
    description:
      'Drafts short documents (summaries, briefs) from a request and supplied material. Deterministic (no model).',
  },
};

export interface AgentStats {
  requests: number;
  methods: Record<string, number>;
  faultsInjected: number;
  executed: number;
  cancelled: string[];
}

export interface RunningAgent {
  /** Where /health, /readiness and /stats answer (and the agent itself, without a socket). */
  url: string;
  publicUrl: string;
  /** The unix socket the agent is served on, when it is reachable only through its bridge. */
  socket: string | undefined;
  stats(): AgentStats;
  close(): Promise<void>;
}

function listen(app: Express, where: string | { port: number; host: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s =
      typeof where === 'string'
        ? app.listen(where, () => resolve(s))
        : app.listen(where.port, where.host, () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * A sample A2A 1.0 server (optionally 0.3, or 0.3 only) built on @a2a-js/sdk's Express handlers. With
 * AGENT_SOCKET the agent answers only on that unix socket (its bridge's target): HOST:PORT then has
 * the operational endpoints alone, so no local process reaches the agent around its bridge over TCP.
 */
export async function startAgentServer(
  config: AgentConfig,
  log: (line: Record<string, unknown>) => void,
): Promise<RunningAgent> {
  const ops = express();
  const app = config.AGENT_SOCKET ? express() : ops;
  const server = await listen(ops, { port: config.PORT, host: config.HOST });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  const publicUrl = (config.PUBLIC_URL ?? url).replace(/\/+$/, '');
  const { skill, name, description } = SKILLS[config.AGENT_KIND];

  const interfaces: AgentInterface[] = [];
  if (config.AGENT_PROTOCOL !== '0.3')
    interfaces.push({
      url: `${publicUrl}/a2a`,
      protocolBinding: 'JSONRPC',
      protocolVersion: '1.0',
      tenant: '',
    });
  if (config.AGENT_PROTOCOL !== '1.0')
    interfaces.push({
      url: `${publicUrl}/a2a`,
      protocolBinding: 'JSONRPC',
      protocolVersion: '0.3',
      tenant: '',
    });
  const card = AgentCard.fromJSON({
    name: config.AGENT_NAME ?? name,
    description,
    version: '1.0.0',
    provider: { organization: 'Switchboard examples', url: 'https://github.com/switchboard' },
    supportedInterfaces: interfaces,
    capabilities: {
      streaming: config.AGENT_STREAMING,
      pushNotifications: false,
      extendedAgentCard: false,
    },
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/markdown', 'text/plain'],
    skills: [
      {
        id: skill.id,
        name: skill.name,
        description: skill.description,
        tags: skill.tags,
        examples: skill.examples,
      },
    ],
  });
  const executor = new SkillExecutor(skill, config.AGENT_STEP_DELAY_MS);
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  const stats: Omit<AgentStats, 'executed' | 'cancelled'> = {
    requests: 0,
    methods: {},
    faultsInjected: 0,
  };

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = Date.now();
    stats.requests++;
    res.on('finish', () => {
      const rpc = (req.body as { method?: unknown } | undefined)?.method;
      log({
        msg: 'request',
        method: req.method,
        path: req.originalUrl.split('?')[0],
        rpc: typeof rpc === 'string' ? rpc : undefined,
        status: res.statusCode,
        ms: Date.now() - started,
        a2aVersion: req.header('a2a-version'),
        via: req.header('x-xmpp-from'),
      });
    });
    next();
  });
  // Liveness for scripts and tests (the agent has no dependencies, so ready = serving).
  let serving = !config.AGENT_SOCKET;
  ops.get(['/health', '/readiness'], (_req, res) => {
    if (serving) res.json({ status: 'ok', agent: config.AGENT_KIND });
    else res.status(503).json({ status: 'starting', agent: config.AGENT_KIND });
  });
  ops.get('/stats', (_req, res) => {
    res.json({
      ...stats,
      executed: executor.stats.executed,
      cancelled: executor.stats.cancelled,
    } satisfies AgentStats);
  });
  if (config.AGENT_PROTOCOL === '0.3') {
    // A legacy agent knows nothing of A2A-Version: it always serves its v0.3 card.
    app.get('/.well-known/agent-card.json', (_req, res) => {
      res.json({
        protocolVersion: '0.3.0',
        name: card.name,
        description: card.description,
        url: `${publicUrl}/a2a`,
        preferredTransport: 'JSONRPC',
        version: card.version,
        capabilities: { streaming: config.AGENT_STREAMING, pushNotifications: false },
        defaultInputModes: card.defaultInputModes,
        defaultOutputModes: card.defaultOutputModes,
        skills: card.skills.map((s) => ({
          id: s.id,
          name: s.name,
          description: s.description,
          tags: s.tags,
          examples: s.examples,
        })),
      });
    });
  } else {
    app.use(
      '/.well-known/agent-card.json',
      agentCardHandler({
        agentCardProvider: handler,
        cache: { maxAge: 60 },
        legacyCompat: { enabled: config.AGENT_PROTOCOL === 'both' },
      }),
    );
  }
  app.use(
    '/a2a',
    express.json({ limit: '1mb' }),
    (req: Request, res: Response, next: NextFunction) => {
      const rpc = (req.body as { method?: unknown } | undefined)?.method;
      if (typeof rpc === 'string') stats.methods[rpc] = (stats.methods[rpc] ?? 0) + 1;
      const failing =
        config.AGENT_FAULT === 'down' ||
        (config.AGENT_FAULT === 'flaky' && stats.faultsInjected < config.AGENT_FAULT_COUNT);
      if (req.method === 'POST' && failing) {
        stats.faultsInjected++;
        res
          .status(503)
          .set('retry-after', '1')
          .json({ error: 'temporarily unavailable (injected fault)' });
        return;
      }
      next();
    },
  );
  app.use(
    '/a2a',
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: config.AGENT_PROTOCOL !== '1.0' },
    }),
  );

  let socketServer: Server | undefined;
  if (config.AGENT_SOCKET) {
    // A socket file left by a process that died would make listen() fail with EADDRINUSE.
    rmSync(config.AGENT_SOCKET, { force: true });
    socketServer = await listen(app, config.AGENT_SOCKET);
    // Owner only: the bridge runs as the same user; other local users cannot connect.
    chmodSync(config.AGENT_SOCKET, 0o600);
    serving = true;
  }

  log({
    msg: 'agent ready',
    agent: config.AGENT_KIND,
    url,
    ...(config.AGENT_SOCKET ? { socket: config.AGENT_SOCKET } : {}),
    publicUrl,
    protocol: config.AGENT_PROTOCOL,
    fault: config.AGENT_FAULT,
  });
  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    url,
    publicUrl,
    socket: config.AGENT_SOCKET,
    stats: () => ({
      ...stats,
      executed: executor.stats.executed,
      cancelled: [...executor.stats.cancelled],
    }),
    close: async () => {
      await Promise.all([
        closeServer(server),
        ...(socketServer ? [closeServer(socketServer)] : []),
      ]);
    },
  };
}
