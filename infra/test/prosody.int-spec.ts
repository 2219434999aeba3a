// A real private Prosody (infra/prosody/instance.mjs) on random ports in a temp dir: logins with
// @xmpp/client over STARTTLS, direct TLS and plaintext, the SASL offer per virtual host, and clean stop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import {
  canConnect,
  HOSTS,
  isAlive,
  type ProsodyInstance,
  registerAccount,
  startProsody,
} from '../prosody/instance.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const LOGIN_SCRIPT = join(here, 'support', 'xmpp-login.mjs');

interface LoginResult {
  ok: boolean;
  jid?: string;
  secure?: boolean;
  name?: string;
  code?: string;
  condition?: string;
  message?: string;
}

/** Logs in from a child process; `ca` is trusted through NODE_EXTRA_CA_CERTS when given. */
function login(args: {
  service: string;
  domain: string;
  username: string;
  password: string;
  ca?: string;
}): Promise<LoginResult> {
  const { ca, ...rest } = args;
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  if (ca) env['NODE_EXTRA_CA_CERTS'] = ca;
  else delete env['NODE_EXTRA_CA_CERTS'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [LOGIN_SCRIPT, JSON.stringify(rest)],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as LoginResult);
        } catch {
          reject(new Error(`login script failed: ${String(err)}\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Opens a stream to `domain` and returns the raw <stream:features/> the server offers. */
function streamFeatures(socket: Socket, domain: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no stream features from ${domain}: ${buf}`));
    }, 20_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const end = buf.indexOf('</stream:features>');
      if (end >= 0) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf.slice(buf.indexOf('<stream:features'), end));
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(
      `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
    );
  });
}

const mechanisms = (features: string): string[] =>
  [...features.matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1] ?? '');

describe('private Prosody instance', () => {
  let dir: string;
  let prosody: ProsodyInstance;
  const pw = { alice: 'alice-Secret-1', bob: 'bob pass with spaces', carol: 'carol\'quote"' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-infra-prosody-'));
    prosody = await startProsody({
      dir,
      accounts: [
        { user: 'alice', host: HOSTS.agents, password: pw.alice },
        { user: 'bob', host: HOSTS.plain, password: pw.bob },
        { user: 'carol', host: HOSTS.sha256, password: pw.carol },
      ],
    });
  });

  afterAll(async () => {
    await prosody?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on the given loopback ports, with its config, CA and pidfile in its dir', async () => {
    expect(isAlive(prosody.pid)).toBe(true);
    expect(await canConnect(prosody.c2sPort)).toBe(true);
    expect(await canConnect(prosody.tlsPort)).toBe(true);
    expect(prosody.configFile.startsWith(dir)).toBe(true);
    expect(prosody.caFile.startsWith(dir)).toBe(true);
    expect(Number(readFileSync(join(dir, 'prosody.pid'), 'utf8').trim())).toBe(prosody.pid);
    const config = readFileSync(prosody.configFile, 'utf8');
    expect(config).toContain('interfaces = { "127.0.0.1" }');
    expect(config).toContain('rate = "1000mb/s"');
    expect(config).toContain('modules_disabled = { "s2s" }');
  });

  it('logs in over STARTTLS when the CA is trusted', async () => {
    const r = await login({
      service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
      domain: HOSTS.agents,
      username: 'alice',
      password: pw.alice,
      ca: prosody.caFile,
    });
    expect(r).toMatchObject({ ok: true, secure: true });
    expect(r.jid).toMatch(/^alice@agents\.switchboard\.local\//);
  });

  it('logs in over direct TLS (certificate valid for 127.0.0.1)', async () => {
    const r = await login({
      service: `xmpps://127.0.0.1:${prosody.tlsPort}`,
      domain: HOSTS.agents,
      username: 'alice',
      password: pw.alice,
      ca: prosody.caFile,
    });
    expect(r).toMatchObject({ ok: true, secure: true });
  });

  it('logs in over plaintext on the plain host', async () => {
    const r = await login({
      service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
      domain: HOSTS.plain,
      username: 'bob',
      password: pw.bob,
    });
    expect(r).toMatchObject({ ok: true, secure: false });
  });

  it('rejects a wrong password with not-authorized', async () => {
    const r = await login({
      service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
      domain: HOSTS.agents,
      username: 'alice',
      password: 'wrong',
      ca: prosody.caFile,
    });
    expect(r.ok).toBe(false);
    expect(r.condition).toBe('not-authorized');
  });

  it('refuses TLS when the private CA is not trusted', async () => {
    const r = await login({
      service: `xmpps://127.0.0.1:${prosody.tlsPort}`,
      domain: HOSTS.agents,
      username: 'alice',
      password: pw.alice,
    });
    expect(r.ok).toBe(false);
    expect(`${r.code} ${r.message}`).toMatch(/CERT|certificate|self.signed/i);
  });

  it('requires encryption on the agents host: STARTTLS required, no mechanisms before TLS', async () => {
    const features = await streamFeatures(netConnect(prosody.c2sPort, '127.0.0.1'), HOSTS.agents);
    expect(features).toMatch(/<starttls[^>]*>\s*<required\/>/);
    expect(mechanisms(features)).toEqual([]);
  });

  it('offers SCRAM-SHA-1 over plaintext on the plain host, and no STARTTLS', async () => {
    const features = await streamFeatures(netConnect(prosody.c2sPort, '127.0.0.1'), HOSTS.plain);
    expect(features).not.toContain('starttls');
    expect(mechanisms(features)).toContain('SCRAM-SHA-1');
  });

  it('offers SCRAM-SHA-256 (not SCRAM-SHA-1) on the sha256 host', async () => {
    const ca = readFileSync(prosody.caFile);
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: prosody.tlsPort,
      ca,
      servername: HOSTS.sha256,
    });
    const features = await streamFeatures(socket, HOSTS.sha256);
    expect(mechanisms(features)).toContain('SCRAM-SHA-256');
    expect(mechanisms(features)).not.toContain('SCRAM-SHA-1');
  });

  it('registers accounts on a running instance', async () => {
    registerAccount({
      configFile: prosody.configFile,
      user: 'dave',
      host: HOSTS.agents,
      password: 'dave-pw',
    });
    const r = await login({
      service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
      domain: HOSTS.agents,
      username: 'dave',
      password: 'dave-pw',
      ca: prosody.caFile,
    });
    expect(r).toMatchObject({ ok: true, secure: true });
  });
});

describe('startProsody lifecycle', () => {
  it('restarts an instance already running from the same dir, and stop() frees the ports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-infra-prosody-'));
    try {
      const first = await startProsody({ dir });
      const second = await startProsody({ dir, c2sPort: first.c2sPort, tlsPort: first.tlsPort });
      expect(second.pid).not.toBe(first.pid);
      expect(isAlive(first.pid)).toBe(false);
      await second.stop();
      expect(isAlive(second.pid)).toBe(false);
      expect(await canConnect(second.c2sPort)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with the server log when a port is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-infra-prosody-'));
    const other = await startProsody({ dir: join(dir, 'a') });
    try {
      await expect(startProsody({ dir: join(dir, 'b'), c2sPort: other.c2sPort })).rejects.toThrow(
        /in use/,
      );
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
