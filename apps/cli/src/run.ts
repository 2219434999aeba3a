// The commands that talk to NATS, loaded by main.ts only when one runs (help and usage errors stay
// quick: NATS, Nest and OpenTelemetry are not loaded for them).
import 'reflect-metadata';
import type { NatsIdentity } from '@switchboard/contracts';
import { BusConnection, type SubscriptionObserver, TrafficTap } from '@switchboard/messaging';
import { Metrics } from '@switchboard/observability';
import type {
  AuditVerifyCommand,
  CallCommand,
  EvalRunCommand,
  MemoryForgetCommand,
  SchedulesDueCommand,
  TailCommand,
} from './args.js';
import { auditVerify, call, explainFailure } from './call.js';
import {
  CONNECTION_FLAGS,
  ConfigError,
  type ConnectionFlags,
  type OperatorConnection,
  operatorConnection,
} from './nats/operator-connection.js';
import { evalRun } from './eval-run.js';
import { memoryForget } from './memory-forget.js';
import { schedulesDue } from './schedules-due.js';
import { tail } from './tail.js';
import { ansi, colourWanted } from './tail-format.js';

const stdout = (text: string) => process.stdout.write(`${text}\n`);
const stderr = (text: string) => process.stderr.write(`${text}\n`);

/** A setting's problem with the flag that sets it: `NATS_TLS_KEY_FILE (--tls-key): …`. */
function withFlag(problem: string): string {
  const spec = Object.entries(CONNECTION_FLAGS).find(([, s]) => problem.startsWith(`${s.env}:`));
  return spec ? problem.replace(`${spec[1].env}:`, `${spec[1].env} (--${spec[0]}):`) : problem;
}

/** The connection settings, or exit 2 naming what is wrong with them. */
function connectionFor(
  env: NodeJS.ProcessEnv,
  flags: ConnectionFlags,
  identity: NatsIdentity,
  stackIdentity: string = identity,
): OperatorConnection {
  try {
    return operatorConnection(env, flags, identity, undefined, stackIdentity);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stderr(
      `switchboard: the NATS connection settings do not hold together:\n${e.problems.map((p) => `  - ${withFlag(p)}`).join('\n')}`,
    );
    process.exit(2);
  }
}

/** Opens a connection with `open`, or exits 1 saying why it could not. */
async function connectTo<T>(connection: OperatorConnection, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    stderr(
      `switchboard: could not connect to NATS at ${connection.nats.servers.join(',')} (${connection.source}): ${(e as Error).message}`,
    );
    process.exit(1);
  }
}

/** What the tail's subscriptions could not do: said on stderr, never thrown into the client. */
const tailObserver: SubscriptionObserver = {
  refused: (subject, reason) => stderr(`NATS refused the subscription to ${subject}: ${reason}`),
  failed: (subject, _reason, error) =>
    stderr(`a message on ${subject} could not be shown: ${(error as Error).message}`),
};

/** `switchboard tail`: runs until stopped (SIGINT, SIGTERM: exit 0) or the connection ends (1). */
export async function runTail(cmd: TailCommand, env: NodeJS.ProcessEnv): Promise<number> {
  // --tenant: as that tenant's operator (the local stack writes operator-<tenant>.env for each of
  // SB_TENANT_OPERATORS), which may read nothing but its tenant's subjects
  const connection = connectionFor(
    env,
    cmd.connection,
    'operator',
    cmd.tenant ? `operator-${cmd.tenant}` : 'operator',
  );
  const tap = await connectTo(connection, () =>
    TrafficTap.open({
      name: 'switchboard-tail',
      nats: connection.nats,
      identity: connection.identity,
      observer: tailObserver,
      reconnectAttempts: 10,
      onServerError: (message) => stderr(`NATS refused: ${message}`),
    }),
  );
  const stop = async () => {
    await tap.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const tty = process.stdout.isTTY;
  const colour = !cmd.json && colourWanted({ flag: cmd.colour, isTTY: tty, env });
  try {
    await tail(
      tap,
      cmd,
      {
        line: stdout,
        info: stderr,
        ...(colour ? { colour: ansi } : {}),
        ...(tty && process.stdout.columns ? { width: process.stdout.columns } : {}),
      },
      `${connection.nats.servers.join(',')} via ${connection.source}`,
    );
  } catch (e) {
    stderr(`switchboard: ${(e as Error).message}`);
    await tap.close();
    return 1;
  }
  const closed = await tap.closed();
  if (closed) stderr(`switchboard: the NATS connection ended: ${closed.message}`);
  return closed ? 1 : 0;
}

/**
 * `switchboard call` and `switchboard audit verify`, as the `admin` identity unless the settings say
 * otherwise: 0 done (an intact audit trail), 1 failed (refused, no reply, a broken chain).
 */
export async function runCommand(
  cmd:
    CallCommand | AuditVerifyCommand | SchedulesDueCommand | MemoryForgetCommand | EvalRunCommand,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const connection = connectionFor(env, cmd.connection, 'admin');
  const opened = await connectTo(connection, () =>
    BusConnection.open({
      name: 'switchboard-cli',
      nats: connection.nats,
      identity: connection.identity,
      instance: `switchboard-cli-${process.pid}`,
      metrics: new Metrics('switchboard-cli', String(process.pid)),
      reconnectAttempts: 3,
    }),
  );
  const bus = opened.bus;
  try {
    if (cmd.name === 'call') {
      await call(bus, cmd, { line: stdout });
      return 0;
    }
    if (cmd.name === 'schedules due') {
      await schedulesDue(bus, cmd, { line: stdout });
      return 0;
    }
    if (cmd.name === 'eval run')
      return (await evalRun(
        bus,
        cmd,
        { line: stdout },
        (ms) => new Promise((r) => setTimeout(r, ms)),
      ))
        ? 0
        : 1;
    if (cmd.name !== 'audit verify')
      return (await memoryForget(bus, cmd, { line: stdout })) ? 0 : 1;
    return (await auditVerify(bus, cmd, { line: stdout })) ? 0 : 1;
  } catch (e) {
    stderr(explainFailure(e));
    return 1;
  } finally {
    await opened.close();
  }
}
