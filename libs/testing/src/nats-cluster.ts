import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PrivateNats, startPrivateNats } from './nats-server.js';
import { freePort, tempDir } from './processes.js';
import { waitFor } from './wait-for.js';

/** Three nats-servers with JetStream in one cluster, each restartable on its port and store. */
export interface PrivateNatsCluster {
  /** The servers, named `n0`, `n1`, `n2` (their JetStream `server_name`). */
  nodes: PrivateNats[];
  /** Every server's URL, as NATS_SERVERS takes them. */
  urls: string[];
  /** The server named `name` (a stream's `cluster.leader`). */
  node(name: string): PrivateNats;
  stop(): Promise<void>;
}

const NODES = 3;

/** The servers, started together; each routes to the other two. */
async function startNodes(binary: string | undefined): Promise<PrivateNats[]> {
  // Every port chosen up front and distinct, so no server's client port is another's route port.
  const ports = new Set<number>();
  while (ports.size < 2 * NODES) ports.add(await freePort());
  const all = [...ports];
  const clients = all.slice(0, NODES);
  const routes = all.slice(NODES);
  const dir = tempDir('nats-cluster');
  return Promise.all(
    clients.map((port, i) => {
      const file = join(dir, `n${i}.conf`);
      // The other two only: 2.10 counts a route to itself as a further peer, then loses its leader.
      const others = routes.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      writeFileSync(
        file,
        `server_name: n${i}\ncluster {\n  name: sb-test\n  listen: 127.0.0.1:${routes[i]}\n  routes: [${others.join(', ')}]\n}\n`,
      );
      return startPrivateNats({ ...(binary ? { binary } : {}), config: file, port });
    }),
  );
}

/**
 * A three-node NATS cluster with JetStream on loopback, private to the test (R3 streams need three
 * servers), ready once it takes an R3 stream. nats-server 2.10 now and then elects no meta leader
 * among servers started together (about one start in eight here): such a cluster is started afresh,
 * up to three times.
 */
export async function startNatsCluster(
  opts: { binary?: string } = {},
): Promise<PrivateNatsCluster> {
  for (let attempt = 1; ; attempt++) {
    const nodes = await startNodes(opts.binary);
    const nc = await connect({ servers: nodes.map((s) => s.url) });
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false });
      await waitFor(
        async () => {
          const probe = `PROBE_${process.pid}`;
          await jsm.streams.add({
            name: probe,
            subjects: [`probe.${process.pid}.>`],
            num_replicas: 3,
          });
          await jsm.streams.delete(probe);
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 250, what: 'a JetStream cluster that takes R3 streams' },
      );
      return {
        nodes,
        urls: nodes.map((n) => n.url),
        node: (name) => {
          const i = Number(/^n(\d)$/.exec(name)?.[1] ?? NaN);
          const found = nodes[i];
          if (!found) throw new Error(`no server named ${name} in the cluster`);
          return found;
        },
        stop: async () => {
          await Promise.all(nodes.map((n) => n.stop()));
        },
      };
    } catch (e) {
      await Promise.all(nodes.map((s) => s.stop()));
      if (attempt === 3) throw e;
    } finally {
      await nc.close();
    }
  }
}
