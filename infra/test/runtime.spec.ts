// The runtime the project declares and the lock file it installs from: Node 24 everywhere (tests, the
// services they spawn with process.execPath, the images), and a lock file that `npm ci` accepts on any
// platform, not only the one that wrote it.
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readText, ROOT } from './support/deploy.js';

const NODE_MAJOR = '24';

interface PackageJson {
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
}

describe('Node 24', () => {
  const pkg = JSON.parse(readText('package.json')) as PackageJson;

  it('runs these tests (and so every service they start with process.execPath)', () => {
    expect(process.versions.node.split('.')[0]).toBe(NODE_MAJOR);
  });

  it('is what package.json asks for and installs (engines, the node devDependency)', () => {
    expect(pkg.engines?.node).toMatch(new RegExp(`^>=${NODE_MAJOR}\\.`));
    expect(pkg.devDependencies?.['node']).toMatch(new RegExp(`^${NODE_MAJOR}\\.`));
    const bin = execFileSync(join(ROOT, 'node_modules', '.bin', 'node'), ['--version'], {
      encoding: 'utf8',
    });
    expect(bin.trim()).toBe(`v${pkg.devDependencies?.['node']}`);
  });

  it.each(['infra/docker/Dockerfile', 'infra/docker/prosody.Dockerfile'])(
    '%s builds on a Node 24 image',
    (file) => {
      expect(readText(file)).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${NODE_MAJOR}\\.`, 'm'));
    },
  );
});

describe('package-lock.json', () => {
  it("records every platform's native packages (tools/lockfile/complete-platforms.mjs --check)", () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'tools/lockfile/complete-platforms.mjs'), '--check'],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  // npm plans the install for another platform with --os/--cpu: what `npm ci` in an image built for
  // arm64, or on a developer's Mac or Windows machine, would install from this lock file. (The real
  // install on this machine is `infra/setup.sh`'s `npm ci`, which every test run starts with.)
  it.each([
    ['linux', 'x64', '@swc/core-linux-x64-gnu'],
    ['linux', 'arm64', '@swc/core-linux-arm64-gnu'],
    ['darwin', 'arm64', '@swc/core-darwin-arm64'],
    ['darwin', 'x64', '@swc/core-darwin-x64'],
    ['win32', 'x64', '@swc/core-win32-x64-msvc'],
  ])(
    "is accepted by npm ci in a clean directory for %s/%s, with that platform's native packages (%s)",
    (os, cpu, native) => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-npm-ci-'));
      try {
        copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
        copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
        // --dry-run: npm validates the lock against package.json and plans the install without fetching.
        const r = spawnSync(
          'npm',
          [
            'ci',
            '--dry-run',
            '--ignore-scripts',
            '--no-audit',
            '--no-fund',
            '--loglevel=error',
            `--os=${os}`,
            `--cpu=${cpu}`,
          ],
          { cwd: dir, encoding: 'utf8', timeout: 100_000 },
        );
        expect(r.stderr).not.toMatch(/Missing: .* from lock file/);
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^add ${native.replace('/', '\\/')} `, 'm'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
