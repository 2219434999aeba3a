// `npm run status` on a stack that `npm run up` pointed at the user's own NATS (NATS_SERVERS, which up
// records in .run/nats-servers): it names the version that server announces, and warns when that is
// older than the supported minimum. On real nats-servers: the machine's (Debian bookworm's 2.9.10) and
// the pinned one infra/setup.sh fetched.
import { afterEach, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readText, ROOT } from './support/deploy.js';

const PINNED = /^NATS_SERVER_VERSION=(.+)$/m.exec(readText('infra/nats-server.env'))?.[1] ?? '';
const MACHINE_NATS = '/usr/sbin/nats-server';
const PINNED_NATS = join(ROOT, 'tools/bin/nats-server/nats-server');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Resolves once something accepts connections on the port (fails after 15 s). */
async function waitForPort(port: number): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing answered on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGTERM');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `npm run status` of a stack whose NATS_SERVERS was a nats-server `binary` on a free port. */
async function statusWithOwnNats(binary: string): Promise<string> {
  const port = await freePort();
  const server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  started.push(server);
  await waitForPort(port);
  const runDir = mkdtempSync(join(tmpdir(), 'sb-status-'));
  dirs.push(runDir);
  writeFileSync(join(runDir, 'nats-servers'), `nats://127.0.0.1:${port}\n`);
  // exit 3: none of the six services runs in this run directory; the NATS lines are what is read
  const { stdout } = await promisify(execFile)('bash', ['infra/status.sh'], {
    cwd: ROOT,
    env: { ...process.env, SB_RUN_DIR: runDir },
    encoding: 'utf8',
    timeout: 60_000,
  }).catch((e: { stdout: string; code: number }) => {
    expect(e.code).toBe(3);
    return e;
  });
  return stdout
    .split('\n')
    .filter((l) => /^nats |^\s+(warning: )?nats-server /.test(l))
    .join('\n');
}

describe('npm run status with NATS_SERVERS pointing at your own NATS', () => {
  it('names a 2.9.10 server and warns that it is older than the supported minimum', async () => {
    const lines = await statusWithOwnNats(MACHINE_NATS);
    expect(lines).toMatch(/^nats\s+up\s+nats:\/\/127\.0\.0\.1:\d+ \(NATS_SERVERS: not started/);
    expect(lines).toMatch(
      /warning: nats-server 2\.9\.10 is older than 2\.10\.0, the oldest supported/,
    );
  });

  it('names the pinned version as such, without a warning', async () => {
    const lines = await statusWithOwnNats(PINNED_NATS);
    expect(lines).toContain(`nats-server ${PINNED} (the version the project pins`);
    expect(lines).not.toContain('warning');
  });
});
