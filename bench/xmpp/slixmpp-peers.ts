// slixmpp's XEP-0332 plugin (Debian python3-slixmpp, the library the agents' Python AZTM side uses) as
// the XMPP benchmark's point of comparison, through the same Prosody as the bridges: two peers that
// answer requests — `echo` with the body as is (the plugin's own round trip: no NATS, no HTTP), `http`
// forwarding to the same HTTP target as the agent's bridge (as tools/xmpp/slixmpp_http_peer.py
// forwards: urllib, a connection per request) — and a client that sends blocks of requests when
// asked, timing each on its own clock (time.perf_counter around the awaited IQ).
import { type ManagedProcess, spawnManaged, waitFor } from '@switchboard/testing';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

const PYTHON = '/usr/bin/python3';

/** Where the peers log in; passed from xmpp.bench.ts to load.ts as JSON (SLIXMPP_SETUP). */
export interface SlixmppSetup {
  root: string;
  c2sPort: number;
  caFile: string;
  domain: string;
  /** [account, password] of the client and the two answering peers. */
  accounts: { client: [string, string]; echo: [string, string]; http: [string, string] };
  targetUrl: string;
}

interface PeerLine {
  event: string;
  samples_ms?: number[];
  seconds?: number;
  message?: string;
}

const script = (s: SlixmppSetup) => join(s.root, 'tools/xmpp/slixmpp_http_peer.py');
const peerArgs = (s: SlixmppSetup, account: [string, string], resource: string) => [
  ...['--jid', `${account[0]}@${s.domain}`, '--resource', resource],
  ...['--host', '127.0.0.1', '--port', String(s.c2sPort), '--ca', s.caFile],
];
const lines = (out: string): PeerLine[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PeerLine);

/** The two answering peers, each in its own process, logged in when `start` resolves. */
export class SlixmppPeers {
  private readonly servers: ManagedProcess[] = [];

  constructor(private readonly setup: SlixmppSetup) {}

  async start(): Promise<void> {
    const { echo, http } = this.setup.accounts;
    const modes: [[string, string], string, string[]][] = [
      [echo, 'slixmpp-echo', ['--echo-body']],
      [http, 'slixmpp-http', ['--target', this.setup.targetUrl]],
    ];
    for (const [account, name, extra] of modes) {
      const args = ['-u', script(this.setup), 'serve', ...peerArgs(this.setup, account, 'bench')];
      const proc = spawnManaged(PYTHON, [...args, '--quiet', ...extra], {
        name,
        env: { XMPP_PASSWORD: account[1] },
      });
      this.servers.push(proc);
      await waitFor(() => lines(proc.logs()).some((l) => l.event === 'ready'), {
        timeoutMs: 30_000,
        what: `${name} to log in`,
      });
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.servers.map((s) => s.stop(3_000)));
  }
}

/** The requesting side: one slixmpp session that runs blocks of requests as asked. */
export class SlixmppClient {
  private readonly waiting: ((line: PeerLine) => void)[] = [];

  private constructor(
    private readonly setup: SlixmppSetup,
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
  ) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      this.waiting.shift()?.(JSON.parse(text) as PeerLine);
    });
  }

  static async start(setup: SlixmppSetup): Promise<SlixmppClient> {
    const args = ['-u', script(setup), 'bench', ...peerArgs(setup, setup.accounts.client, 'load')];
    const child = spawn(
      PYTHON,
      [...args, '--method', 'POST', '--path', '/echo', '--timeout', '30'],
      {
        env: { ...process.env, XMPP_PASSWORD: setup.accounts.client[1] },
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    const client = new SlixmppClient(setup, child);
    const first = await client.next();
    if (first.event !== 'ready') throw new Error(`slixmpp client: ${first.message ?? first.event}`);
    return client;
  }

  private next(): Promise<PeerLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('slixmpp client: no answer in 120 s')),
        120_000,
      );
      this.waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  /** `count` requests with the body in `bodyFile` to the `echo` or `http` peer, `inFlight` at once. */
  async run(
    to: 'echo' | 'http',
    bodyFile: string,
    count: number,
    inFlight = 1,
  ): Promise<{ samples: number[]; seconds: number }> {
    const peer = `${this.setup.accounts[to][0]}@${this.setup.domain}/bench`;
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify({ to: peer, count, inFlight, bodyFile })}\n`);
    const line = await answer;
    if (line.event !== 'block' || !line.samples_ms || line.seconds === undefined)
      throw new Error(`slixmpp client (${to}): ${line.message ?? line.event}`);
    return { samples: line.samples_ms, seconds: line.seconds };
  }

  /** Ends the input (the client logs out) and waits for the process, killing it after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
