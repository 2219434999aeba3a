import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type PrivateNats,
  type PrivateProsody,
  startPrivateNats,
  startPrivateProsody,
} from '@switchboard/testing';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { PYTHON, runBridgeToExit, runDoctor, xmppEnv } from './support/bridge.harness.js';
import { startScriptedServer } from './support/scripted-xmpp.server.js';

// Real bridge processes against a real private Prosody (and a scripted server for what Prosody
// cannot be made to do): each failed login stops the bridge with one line naming the phase, what was
// said and a hint, long before AZTM_XMPP_TIMEOUT; the doctor prints the same, phase by phase.
// The login timeout is longer than any deadline below (the harness's 30–40 s, jest's 60 s): a login
// that waited for it cannot pass, so "long before the timeout" needs no clock reading, which a
// loaded CI machine would make flaky.
const TIMEOUT_S = 120;
const EXIT_DEADLINE_MS = 40_000;

describe('AZTM login: diagnostics and mechanism selection (real Prosody, real bridge processes)', () => {
  let xmpp: PrivateProsody;
  let nats: PrivateNats;
  const password = 'correct horse battery';

  beforeAll(async () => {
    xmpp = await startPrivateProsody({
      accounts: [
        { user: 'bridge', host: 'agents.switchboard.local', password },
        { user: 'bridge', host: 'sha256.switchboard.local', password },
        { user: 'bridge', host: 'plain.switchboard.local', password },
      ],
    });
    nats = await startPrivateNats();
  });

  afterAll(async () => {
    await nats?.stop();
    await xmpp?.stop();
  });

  const env = (extra: Record<string, string> = {}) => ({
    ...xmppEnv(xmpp, 'bridge', password, {
      AZTM_XMPP_TIMEOUT: String(TIMEOUT_S),
      NATS_SERVERS: nats.url,
    }),
    ...extra,
  });

  /** Runs the bridge, expects it to stop with a diagnosis, and returns the diagnosis line. */
  async function failedLogin(
    name: string,
    extra: Record<string, string>,
    phase: string,
  ): Promise<string> {
    const exited = await runBridgeToExit(name, env(extra), EXIT_DEADLINE_MS);
    expect(exited.killed).toBe(false);
    expect(exited.code).toBe(1);
    expect(exited.fatal).toBeDefined();
    const line = exited.fatal ?? '';
    expect(line).toContain(`failed in phase ${phase} after`);
    expect(line).toContain('— hint:');
    expect(line).not.toContain('\n');
    expect(line).not.toContain(password);
    expect(exited.logs).not.toContain(password);
    // A diagnosis of what was said, not of the login timeout running out.
    expect(line).not.toMatch(/no answer within|no TCP connection within/);
    return line;
  }

  it("wrong password: phase sasl, the server's words, a hint about AZTM_PASSWORD", async () => {
    const line = await failedLogin('wrong-password', { AZTM_PASSWORD: 'not the password' }, 'sasl');
    expect(line).toContain('SCRAM-SHA-1 → not-authorized');
    expect(line).toContain('wrong AZTM_PASSWORD');
  });

  it('wrong port (nothing listens): phase connect, connection refused', async () => {
    const closed = await freeClosedPort();
    const line = await failedLogin('wrong-port', { AZTM_PORT: String(closed) }, 'connect');
    expect(line).toContain('ECONNREFUSED');
    expect(line).toContain('check AZTM_PORT');
  });

  it('direct TLS against the STARTTLS port: phase tls, the port answered in plaintext', async () => {
    const line = await failedLogin('direct-on-starttls', { AZTM_TLS: 'direct' }, 'tls');
    expect(line).toContain('answered in plaintext');
    expect(line).toContain('AZTM_TLS=starttls');
  });

  it('STARTTLS against the direct-TLS port: phase stream, the port expects direct TLS', async () => {
    const line = await failedLogin(
      'starttls-on-direct',
      { AZTM_PORT: String(xmpp.tlsPort), AZTM_TLS: 'starttls' },
      'stream',
    );
    expect(line).toMatch(/direct TLS/);
    expect(line).toContain('AZTM_TLS=direct');
  });

  it('unreachable host (does not resolve): phase resolve', async () => {
    const line = await failedLogin(
      'unresolvable',
      { AZTM_HOST: 'xmpp.does-not-exist.invalid' },
      'resolve',
    );
    expect(line).toContain('ENOTFOUND');
    expect(line).toContain('does not resolve');
  });

  it('unreachable host (silent: accepts TCP, never speaks): fails at the timeout, naming the phase', async () => {
    const silent = await silentServer();
    try {
      const exited = await runBridgeToExit(
        'silent-server',
        env({ AZTM_PORT: String(silent.port), AZTM_XMPP_TIMEOUT: '2' }),
        30_000,
      );
      // It gives up at AZTM_XMPP_TIMEOUT (2 s), not at the ~2 minutes of a TCP timeout (which
      // the harness's 30 s deadline would have cut short).
      expect(exited.killed).toBe(false);
      expect(exited.code).toBe(1);
      expect(exited.fatal).toMatch(
        /failed in phase stream after \d+ ms: no answer within 2000 ms — hint: .* stays silent/,
      );
      const ms = Number(/after (\d+) ms/.exec(exited.fatal ?? '')?.[1]);
      expect(ms).toBeGreaterThanOrEqual(2_000);
    } finally {
      silent.server.close();
    }
  });

  it('wrong port (an HTTP server): not an XMPP port, quoting what it answered, and the doctor exits at once', async () => {
    const http = createHttpServer((_req, res) => res.end('ok'));
    const port = await new Promise<number>((resolve) =>
      http.listen(0, '127.0.0.1', () => resolve((http.address() as { port: number }).port)),
    );
    try {
      const line = await failedLogin('http-port', { AZTM_PORT: String(port) }, 'stream');
      expect(line).toContain('the server answered "HTTP/1.1 400 Bad Request');
      expect(line).toContain(
        `127.0.0.1:${port} is not an XMPP client port (it looks like an HTTP server)`,
      );
      expect(line).toContain('check AZTM_HOST and AZTM_PORT');
      // The doctor says the same and ends on its own, long before AZTM_XMPP_TIMEOUT (120 s): a
      // timer left behind would have kept it alive past the harness's 30 s deadline.
      const doctor = await runDoctor(env({ AZTM_PORT: String(port) }));
      expect(doctor.killed).toBe(false);
      expect(doctor.code).toBe(1);
      expect(doctor.out).toMatch(/✗ stream .*instead of an XML stream/);
    } finally {
      http.close();
    }
  });

  it("wrong port (a NATS server, the test's own): not an XMPP port, it looks like NATS", async () => {
    const natsPort = new URL(nats.url).port;
    const line = await failedLogin('nats-port', { AZTM_PORT: natsPort }, 'stream');
    expect(line).toContain('the server answered "INFO {');
    expect(line).toContain('(it looks like a NATS server)');
    expect(line).not.toContain('see its log');
  });

  it('unreachable host (connects never complete): phase connect, on its own connect deadline', async () => {
    // A listener that never accepts, its one-connection backlog taken: the kernel drops further SYNs,
    // so a connect hangs as it does towards a firewalled host.
    const blackhole = await fullBacklogListener();
    try {
      // A connect deadline of 500 ms: waited out in full, so the shorter the better (a connect
      // that never completes is the same at any length).
      const exited = await runBridgeToExit(
        'connect-timeout',
        env({ AZTM_PORT: String(blackhole.port), XMPP_BRIDGE_CONNECT_TIMEOUT_MS: '500' }),
        30_000,
      );
      expect(exited.killed).toBe(false);
      expect(exited.code).toBe(1);
      expect(exited.fatal).toMatch(
        /failed in phase connect after \d+ ms: no TCP connection within 500 ms — hint: .* does not answer \(packets dropped\)/,
      );
      const ms = Number(/after (\d+) ms/.exec(exited.fatal ?? '')?.[1]);
      // The connect deadline (the message names 500 ms), not the login's (120 s).
      expect(ms).toBeGreaterThanOrEqual(500);
    } finally {
      await blackhole.close();
    }
  });

  it('certificate not trusted (no CA given): phase tls, with how to trust it', async () => {
    const line = await failedLogin('untrusted-cert', { XMPP_BRIDGE_CA_FILE: '' }, 'tls');
    expect(line).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(line).toContain('XMPP_BRIDGE_CA_FILE');
  });

  it('AZTM_VALIDATE_CERT=false: the same untrusted certificate is accepted, and the doctor says the check is off', async () => {
    // Both doctors at once (independent logins): their start-up is most of their time.
    const [unchecked, checked] = await Promise.all([
      runDoctor(env({ XMPP_BRIDGE_CA_FILE: '', AZTM_VALIDATE_CERT: 'false' })),
      runDoctor(env({ XMPP_BRIDGE_CA_FILE: '' })),
    ]);
    expect(unchecked.out).toMatch(/certificate check OFF/);
    expect(unchecked.out).toMatch(/OK: logged in as bridge@agents\.switchboard\.local\//);
    expect(unchecked.code).toBe(0);
    // And the default, on the same settings otherwise, refuses it.
    expect(checked.out).toMatch(/certificate check on/);
    expect(checked.code).toBe(1);
  });

  it('the hardest login: -PLUS rejected, fallback to SCRAM-SHA-512, then a policy violation at bind', async () => {
    const scripted = await startScriptedServer(join(xmpp.dir, 'certs'), {
      domain: 'agents.switchboard.local',
      user: 'bridge',
      password,
      mechanisms: ['SCRAM-SHA-512-PLUS', 'SCRAM-SHA-512', 'SCRAM-SHA-1', 'PLAIN'],
      rejectChannelBinding: true,
      bindPolicyViolation: 'Resource binding is restricted for this account',
    });
    try {
      const line = await failedLogin(
        'policy-violation',
        { AZTM_PORT: String(scripted.port), AZTM_TLS: 'direct' },
        'bind',
      );
      expect(line).toContain(
        'stream error policy-violation "Resource binding is restricted for this account"',
      );
      expect(line).toContain('ask the XMPP administrator');
      expect(scripted.auths).toEqual(['SCRAM-SHA-512-PLUS', 'SCRAM-SHA-512']);
      const doctor = await runDoctor(env({ AZTM_PORT: String(scripted.port), AZTM_TLS: 'direct' }));
      expect(doctor.code).toBe(1);
      expect(doctor.out).toMatch(
        /✓ sasl .*SCRAM-SHA-512-PLUS failed \(malformed-request: Invalid channel binding value\.\), SCRAM-SHA-512 ok/,
      );
      expect(doctor.out).toMatch(/✗ bind .*policy-violation/);
    } finally {
      await scripted.close();
    }
  });

  it('a server that cannot prove the password (wrong SCRAM signature) is refused, with no fallback to PLAIN', async () => {
    const scripted = await startScriptedServer(join(xmpp.dir, 'certs'), {
      domain: 'agents.switchboard.local',
      user: 'bridge',
      password,
      mechanisms: ['SCRAM-SHA-256', 'PLAIN'],
      wrongServerSignature: true,
    });
    try {
      const line = await failedLogin(
        'impostor',
        { AZTM_PORT: String(scripted.port), AZTM_TLS: 'direct' },
        'sasl',
      );
      expect(line).toContain('server signature');
      expect(line).toContain('possible impersonation');
      expect(scripted.auths).toEqual(['SCRAM-SHA-256']);
    } finally {
      await scripted.close();
    }
  });

  it('picks the strongest mechanism Prosody offers: SCRAM-SHA-1-PLUS over TLS 1.2, SCRAM-SHA-1 over TLS 1.3, SCRAM-SHA-256 on a SHA-256 host', async () => {
    // Four independent logins, run at once.
    const [tls12, tls13, sha256, direct] = await Promise.all([
      runDoctor(env({ XMPP_BRIDGE_TLS_MAX_VERSION: 'TLSv1.2' })),
      runDoctor(env()),
      runDoctor(env({ AZTM_JID: 'bridge@sha256.switchboard.local' })),
      runDoctor(env({ AZTM_PORT: String(xmpp.tlsPort), AZTM_TLS: 'direct' })),
    ]);
    expect(tls12.out).toMatch(
      /OK: logged in as bridge@agents\.switchboard\.local\/\S+ with SCRAM-SHA-1-PLUS over TLSv1\.2/,
    );
    expect(tls13.out).toMatch(/with SCRAM-SHA-1 over TLSv1\.3/);
    expect(sha256.out).toMatch(/with SCRAM-SHA-256 over TLSv1\.3/);
    expect(direct.out).toMatch(/✓ tls .*direct TLS: TLSv1\.3/);
    expect([tls12.code, tls13.code, sha256.code, direct.code]).toEqual([0, 0, 0, 0]);
  });

  it('never offers PLAIN without TLS; plaintext logins use SCRAM', async () => {
    const [plain, required] = await Promise.all([
      runDoctor(env({ AZTM_JID: 'bridge@plain.switchboard.local', AZTM_TLS: 'off' })),
      runDoctor(env({ AZTM_TLS: 'off' })),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/with SCRAM-SHA-1 WITHOUT TLS/);
    expect(required.code).toBe(1);
    expect(required.out).toMatch(/FAILED: .*phase tls.*requires TLS/);
  });

  it('the doctor prints every phase of a failed login and exits 1', async () => {
    const doctor = await runDoctor(env({ AZTM_PASSWORD: 'wrong' }));
    expect(doctor.code).toBe(1);
    for (const phase of ['resolve', 'connect', 'stream', 'tls'])
      expect(doctor.out).toMatch(new RegExp(`✓ ${phase} `));
    expect(doctor.out).toMatch(/✗ sasl .*not-authorized/);
    expect(doctor.out).toMatch(
      /^FAILED: XMPP login of bridge@agents\.switchboard\.local failed in phase sasl/m,
    );
    expect(doctor.out).not.toContain('wrong\n');
  });
});

/** A port nothing listens on (bound, then released). */
async function freeClosedPort(): Promise<number> {
  const srv = createServer();
  const port = await new Promise<number>((resolve) =>
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)),
  );
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * A TCP port whose connects never complete: a listener with a backlog of one that never accepts
 * (Python, since Node accepts on its own), its backlog filled by one connection of ours.
 */
async function fullBacklogListener(): Promise<{ port: number; close(): Promise<void> }> {
  const py = spawn(
    PYTHON,
    [
      '-c',
      'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    py.once('error', reject);
  });
  const filler: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  return {
    port,
    close: async () => {
      filler.destroy();
      py.stdin.end();
      if (py.exitCode === null) await new Promise((r) => py.once('exit', r));
    },
  };
}

/** Accepts TCP connections and never answers. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('error', () => undefined));
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return { server, port };
}
