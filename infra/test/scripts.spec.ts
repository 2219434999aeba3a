// The stack scripts' own settings (infra/lib.sh, infra/prosody/instance.mjs): a bad port setting stops
// the script at once with one line naming the variable, before anything is started or written.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './support/deploy.js';

function run(command: string, args: string[], env: Record<string, string>) {
  const runDir = mkdtempSync(join(tmpdir(), 'sb-scripts-'));
  try {
    const r = spawnSync(command, args, {
      cwd: ROOT,
      env: { ...process.env, SB_RUN_DIR: runDir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, stderr: r.stderr, written: readdirSync(runDir) };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

describe('the stack scripts refuse bad port settings', () => {
  it.each([
    ['SB_PORT_BASE', 'abc'],
    ['SB_PORT_BASE', '1023'],
    ['SB_PORT_BASE', '08080'],
    ['SB_PORT_BASE', '65000'], // no room for the sample agents at +1102
    ['SB_XMPP_PORT', '70000'],
    ['SB_XMPP_TLS_PORT', '5223x'],
    ['SB_NATS_PORT', '4222x'],
    ['SB_PORT_BASE', '64300'], // no room for the stack's NATS at +1322
  ])('infra/up.sh with %s=%j stops with one line naming it', (name, value) => {
    // An option up.sh does not know: were the setting accepted, it would stop on that instead.
    const r = run('bash', ['infra/up.sh', '--no-such-option'], { [name]: value });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(name)]);
    expect(r.stderr).toContain(value);
    expect(r.written).toEqual([]);
  });

  it('instance.mjs reports a bad SB_XMPP_PORT as one line, not a stack trace', () => {
    const r = run('node', ['infra/prosody/instance.mjs', 'stack', 'status'], {
      SB_XMPP_PORT: '05222',
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      "prosody: SB_XMPP_PORT must be a port number between 1024 and 65535 (got: '05222')",
    );
  });
});

/** A loopback port nothing listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('waiting for a server the scripts started (infra/lib.sh wait_port_of)', () => {
  const waitFor = (server: string, port: number) =>
    spawnSync(
      'bash',
      [
        '-c',
        `source infra/lib.sh; ${server} & pid=$!; rc=0; wait_port_of "$pid" 127.0.0.1 ${port} server 30 || rc=$?; kill "$pid" 2>/dev/null; echo "rc=$rc"`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    ).stdout.trim();

  it('stops waiting as soon as the server has exited (it could not bind its port, say): 2, not the deadline', async () => {
    const port = await freePort();
    // a deadline waited out would answer 1
    expect(waitFor('node -e "process.exit(1)"', port)).toBe('rc=2');
  });

  it('answers 0 once the server listens', async () => {
    const port = await freePort();
    const listen = `node -e "require('net').createServer().listen(${port}, '127.0.0.1')"`;
    expect(waitFor(listen, port)).toMatch(/server answers on 127.0.0.1:\d+\nrc=0$/);
  });
});
