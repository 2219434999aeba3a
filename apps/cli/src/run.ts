// The commands that talk to NATS, loaded by main.ts only when one runs (help and usage errors stay
// quick: NATS, Nest and OpenTelemetry are not loaded for them).
import 'reflect-metadata';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NatsIdentity } from '@switchboard/contracts';
import { natsConnectionOptions, NatsBus } from '@switchboard/messaging';
import { Metrics } from '@switchboard/observability';
import type { AuditVerifyCommand, CallCommand, TailCommand } from './args.js';
import { auditVerify, call, explainFailure } from './call.js';
import {
  CONNECTION_FLAGS,
  ConfigError,
  type ConnectionFlags,
  type OperatorConnection,
  operatorConnection,
} from './nats/operator-connection.js';
import { tail } from './tail.js';

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
): OperatorConnection {
  try {
    return operatorConnection(env, flags, identity);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stderr(
      `switchboard: the NATS connection settings do not hold together:\n${e.problems.map((p) => `  - ${withFlag(p)}`).join('\n')}`,
    );
    process.exit(2);
  }
}

async function connectTo(
  connection: OperatorConnection,
  name: string,
  reconnects: number,
): Promise<NatsConnection> {
  try {
    return await connect({
      ...natsConnectionOptions(name, connection.nats, connection.identity),
      maxReconnectAttempts: reconnects,
    });
  } catch (e) {
    stderr(
      `switchboard: could not connect to NATS at ${connection.nats.servers.join(',')} (${connection.source}): ${(e as Error).message}`,
    );
    process.exit(1);
  }
}

/** `switchboard tail`: runs until stopped (SIGINT, SIGTERM: exit 0) or the connection ends (1). */
export async function runTail(cmd: TailCommand, env: NodeJS.ProcessEnv): Promise<number> {
  const connection = connectionFor(env, cmd.connection, 'operator');
  const nc = await connectTo(connection, 'switchboard-tail', 10);
  const stop = async () => {
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await tail(
    nc,
    cmd,
    {
      line: stdout,
      info: stderr,
      ...(process.stdout.isTTY
        ? { colour: (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m` }
        : {}),
    },
    `${connection.nats.servers.join(',')} via ${connection.source}`,
  );
  const closed = await nc.closed();
  if (closed) stderr(`switchboard: the NATS connection ended: ${closed.message}`);
  return closed ? 1 : 0;
}

/**
 * `switchboard call` and `switchboard audit verify`, as the `admin` identity unless the settings say
 * otherwise: 0 done (an intact audit trail), 1 failed (refused, no reply, a broken chain).
 */
export async function runCommand(
  cmd: CallCommand | AuditVerifyCommand,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const connection = connectionFor(env, cmd.connection, 'admin');
  const nc = await connectTo(connection, 'switchboard-cli', 3);
  const bus = new NatsBus(
    nc,
    {
      service: connection.identity,
      instance: `switchboard-cli-${process.pid}`,
      nats: connection.nats,
    },
    new Metrics('switchboard-cli', String(process.pid)),
  );
  try {
    if (cmd.name === 'call') {
      await call(bus, cmd, { line: stdout });
      return 0;
    }
    return (await auditVerify(bus, cmd, { line: stdout })) ? 0 : 1;
  } catch (e) {
    stderr(explainFailure(e));
    return 1;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
