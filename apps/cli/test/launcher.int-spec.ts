// `switchboard` as a machine whose own Node is older than the project's starts it (the machine's
// /usr/bin/node, v20 on Debian-like machines): the bin npm links (apps/cli/bin/switchboard.js) runs the
// built CLI on the project's Node, and `npx switchboard` prints nothing of npm's (no EBADENGINE).
import {
  type PrivateNats,
  repoRoot,
  spawnManaged,
  startPrivateNats,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const LAUNCHER = join(repoRoot, 'apps/cli/bin/switchboard.js');
const PROJECT_NODE = join(repoRoot, 'node_modules/.bin/node');

/** The machine's own Node: the first `node` on PATH outside any node_modules/.bin. */
function machineNode(): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => !/node_modules/.test(d));
  const found = dirs.map((d) => join(d, 'node')).find((f) => existsSync(f));
  if (!found) throw new Error(`no node on PATH outside node_modules: ${process.env['PATH']}`);
  return found;
}

const NODE = machineNode();
/** Only the machine's own directories on PATH (not the project's node_modules/.bin), a fresh npm cache. */
const MACHINE_ENV = {
  PATH: [dirname(NODE), '/usr/bin', '/bin'].join(delimiter),
  HOME: process.env['HOME'] ?? '/tmp',
  npm_config_cache: tempDir('npm-cache'),
  // a checkout without the link must fail here, never fetch a package of that name from a registry
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
};

const versionOf = (node: string) =>
  spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const parts = (v: string) => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number);
const older = (a: number[], b: number[]) => {
  const i = a.findIndex((x, k) => x !== b[k]);
  return i >= 0 && a[i]! < b[i]!;
};
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};
/** The Node the CLI must end up on: the project's when the machine's is older than `engines`. */
const EXPECTED_NODE = older(parts(versionOf(NODE)), parts(pkg.engines.node))
  ? versionOf(PROJECT_NODE)
  : versionOf(NODE);

describe('switchboard on the machine’s Node', () => {
  it(`runs the built CLI on Node ${EXPECTED_NODE} when started by ${NODE} (${versionOf(NODE)})`, () => {
    // started outside any checkout: the launcher's own checkout
    const r = spawnSync(NODE, [LAUNCHER, '--version'], {
      cwd: tempDir('elsewhere'),
      env: MACHINE_ENV,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`switchboard ${pkg.version} (Node ${EXPECTED_NODE})`);
    expect(r.status).toBe(0);
    // the arguments go through and the exit status comes back
    const usage = spawnSync(NODE, [LAUNCHER, 'tail', '--task', 'nope'], {
      cwd: repoRoot,
      env: MACHINE_ENV,
      encoding: 'utf8',
    });
    expect(usage.stderr).toMatch(/^switchboard tail: --task must be a task id .*"nope"/);
    expect(usage.status).toBe(2);
  });

  it('runs as `npx switchboard` in a checkout without a word from npm', () => {
    // npm links the launcher there (the devDependency @switchboard/cli: file:apps/cli)
    if (!existsSync(join(repoRoot, 'node_modules/.bin/switchboard')))
      throw new Error(
        'node_modules/.bin/switchboard is missing: node_modules predates package-lock.json; run npm ci',
      );
    // npm's words about the machine's own ~/.npmrc (this machine's `nodedir` draws "Unknown user
    // config" from npm 11) are not ours: npm reads an empty user config here
    const userconfig = join(tempDir('npmrc'), 'npmrc');
    writeFileSync(userconfig, '');
    const r = spawnSync(join(dirname(NODE), 'npx'), ['switchboard', '--version'], {
      cwd: repoRoot,
      env: { ...MACHINE_ENV, npm_config_userconfig: userconfig },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`switchboard ${pkg.version} (Node ${EXPECTED_NODE})`);
    expect(r.status).toBe(0);
  });

  describe('tailing', () => {
    let nats: PrivateNats;
    beforeAll(async () => {
      nats = await startPrivateNats();
    });
    afterAll(async () => {
      await nats?.stop();
    });

    it('stops as the CLI does when the launcher is told to (SIGTERM: exit 0)', async () => {
      const tail = spawnManaged(NODE, [LAUNCHER, 'tail', '--nats', nats.url], {
        name: 'launcher-tail',
        cwd: repoRoot,
        env: MACHINE_ENV,
      });
      try {
        await waitFor(() => tail.logs().includes('(Ctrl-C to stop)'), {
          what: 'the tail started through the launcher',
        });
      } finally {
        await tail.stop(5_000);
      }
      expect(await tail.exited).toBe(0);
    });
  });
});
