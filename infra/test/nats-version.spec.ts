// One nats-server version everywhere: the version infra/nats-server.env pins is the one `npm run up`
// runs (infra/setup.sh fetches it to where infra/lib.sh and libs/testing look), docker-compose.yml's
// and the chart's image; and what the scripts say of a server's version (the banner, `npm run status`,
// setup's choice among the versions Debian serves).
import { describe, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { readText, renderChart, ROOT } from './support/deploy.js';

/** infra/nats-server.env, KEY=VALUE lines. */
const PIN = Object.fromEntries(
  readText('infra/nats-server.env')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=') as [string, string]),
);
const VERSION = PIN['NATS_SERVER_VERSION'] ?? '';
const MINIMUM = PIN['NATS_SERVER_MIN_VERSION'] ?? '';
/** Where setup.sh puts it; libs/testing's NATS_SERVER_BINARY and the other infra tests name the same. */
const NATS_SERVER_BINARY = join(ROOT, 'tools/bin/nats-server/nats-server');

/** Runs bash with infra/lib.sh (and infra/deb-binaries.sh) sourced: the scripts' own functions. */
function sh(script: string, input?: string) {
  const r = spawnSync(
    'bash',
    ['-c', `source infra/lib.sh && source infra/deb-binaries.sh && ${script}`],
    { cwd: ROOT, encoding: 'utf8', input, timeout: 30_000 },
  );
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** The same, without blocking this process (whose fake NATS server must answer meanwhile). */
async function shAsync(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-c', `source infra/lib.sh && ${script}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return stdout.trim();
}

describe('the pinned nats-server version', () => {
  it('is one exact version, with a supported minimum not newer than it', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(MINIMUM).toMatch(/^\d+\.\d+\.\d+$/);
    expect(sh(`version_lt ${VERSION} ${MINIMUM}`).code).toBe(1);
  });

  it("is docker-compose.yml's NATS image", () => {
    const compose = parse(readText('docker-compose.yml')) as {
      services: Record<string, { image?: string }>;
    };
    expect(compose.services['nats']?.image).toBe(`nats:${VERSION}-alpine`);
  });

  it("is the chart's default NATS image, as rendered", () => {
    const values = parse(readText('k8s/switchboard/values.yaml')) as {
      nats: { image: { repository: string; tag: string } };
    };
    expect(values.nats.image).toMatchObject({ repository: 'nats', tag: `${VERSION}-alpine` });
    const images = renderChart()
      .flatMap((o) => {
        const spec = (
          o as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }
        ).spec?.template?.spec;
        return spec?.containers ?? [];
      })
      .map((c) => c.image ?? '')
      .filter((image) => /(^|\/)nats:/.test(image));
    expect(images).toEqual([`nats:${VERSION}-alpine`]);
  });

  it('is where the stack (infra/lib.sh) and the tests (libs/testing) run it from', () => {
    expect(sh('echo "$NATS_SERVER_BIN"').out).toBe(NATS_SERVER_BINARY);
    expect(sh('stack_nats_binary').out).toBe(NATS_SERVER_BINARY);
  });

  it('is the version of the binary infra/setup.sh fetched', () => {
    // setup.sh fetches it before any test runs (infra/test.sh); a different one means Debian moved on
    // and setup.sh warned: move the pin (infra/nats-server.env, the two image tags) to what it fetched.
    expect(existsSync(NATS_SERVER_BINARY)).toBe(true);
    expect(sh(`nats_binary_version ${NATS_SERVER_BINARY}`).out).toBe(VERSION);
  });
});

describe("setup.sh's choice among Debian's nats-server packages", () => {
  const choose = (versions: string[], pin = VERSION) =>
    sh(`NATS_SERVER_VERSION=${pin}; choose_nats_version`, versions.join('\n')).out;

  it('takes exactly the pinned version, whatever Debian revision or epoch it carries', () => {
    expect(choose(['2.15.1-1', '2.10.27-1+b2', '2.9.10-1+b3'], '2.10.27')).toBe(
      'exact 2.10.27-1+b2',
    );
    expect(choose(['1:2.10.27+ds-2'], '2.10.27')).toBe('exact 1:2.10.27+ds-2');
  });

  it('else the newest of the same minor series, else the oldest newer one, named as another', () => {
    expect(choose(['2.15.1-1', '2.10.29-1', '2.10.28-1', '2.9.10-1'], '2.10.27')).toBe(
      'other 2.10.29-1',
    );
    expect(choose(['2.15.1-1', '2.11.4-1', '2.9.10-1'], '2.10.27')).toBe('other 2.11.4-1');
  });

  it('never one older than the supported minimum', () => {
    expect(choose(['2.9.10-1+b3'], '2.10.27')).toBe('');
  });
});

describe("what the scripts say of a NATS server's version", () => {
  /** A TCP server that greets like nats-server (its INFO line), then closes. */
  async function fakeNats(info: string): Promise<{ port: number; server: Server }> {
    const server = createServer((socket) => socket.end(`${info}\r\n`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, server };
  }

  it("reads the version from the server's INFO, from any form of NATS_SERVERS", async () => {
    const { port, server } = await fakeNats(
      'INFO {"server_id":"N1","version":"2.9.10","proto":1,"auth_required":true}',
    );
    try {
      for (const url of [
        `nats://127.0.0.1:${port}`,
        `tls://user:secret@127.0.0.1:${port}`,
        `127.0.0.1:${port},nats://127.0.0.2:4222`,
      ])
        expect({ url, version: await shAsync(`nats_info_version '${url}'`) }).toEqual({
          url,
          version: '2.9.10',
        });
    } finally {
      server.close();
    }
  });

  it('reads none from something that is not NATS', async () => {
    const { port, server } = await fakeNats('HTTP/1.1 400 Bad Request');
    try {
      expect(await shAsync(`nats_info_version nats://127.0.0.1:${port}`)).toBe('');
    } finally {
      server.close();
    }
  });

  it('calls the pinned version so, and another supported one supported, naming the pin', () => {
    expect(sh(`nats_version_verdict ${VERSION}`)).toEqual({
      code: 0,
      out: `nats-server ${VERSION} (the version the project pins: infra/nats-server.env)`,
      err: '',
    });
    const newer = sh('nats_version_verdict 99.0.0');
    expect(newer.code).toBe(0);
    expect(newer.out).toContain(`the project pins ${VERSION}`);
  });

  it('fails a version older than the minimum, saying why (the measured cost)', () => {
    const old = sh('nats_version_verdict 2.9.10');
    expect(old.code).toBe(1);
    expect(old.out).toContain(`older than ${MINIMUM}, the oldest supported`);
    expect(old.out).toContain('docs/operations.md');
    expect(old.out).toMatch(/grows with the stored history/);
    expect(sh('nats_version_verdict ""').code).toBe(1);
  });
});
