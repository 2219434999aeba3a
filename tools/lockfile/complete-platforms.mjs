#!/usr/bin/env node
// Completes package-lock.json with the platform packages a registry mirror does not serve.
//
// Native packages (@swc/core, nx, unrs-resolver…) list one optional dependency per platform. npm records
// only the ones its registry answers for, and `npm ci` on any machine then refuses the lock ("Missing:
// @swc/core-darwin-arm64@ from lock file"). This adds each missing one at the version its parent asks for,
// with the os/cpu/libc that keep npm from installing it elsewhere: from the registry when it knows the
// package, else read from the package's name (<os>-<cpu>[-<abi>], the convention all of them follow).
// npm keeps such entries on later installs. `--check` changes nothing and exits 1 when one is missing.
// Another lock file (a package of its own, e.g. bench/peers) is named by its path or its directory.
//
// usage: node tools/lockfile/complete-platforms.mjs [--check] [<package-lock.json or its directory>]
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'netbsd', 'openbsd'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64'];

/** os, cpu and libc of a platform package, from tokens of its name such as `linux-arm64-musl`. */
export function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpuToken = tokens.find((t) => CPU.includes(t));
  if (!os || !cpuToken) return undefined;
  const abi = tokens.slice(tokens.indexOf(cpuToken) + 1).join('-');
  const libc =
    os !== 'linux' ? undefined : /musl/.test(abi) ? 'musl' : /gnu/.test(abi) ? 'glibc' : undefined;
  return { os: [os], cpu: [cpuToken], ...(libc ? { libc: [libc] } : {}) };
}

function fromRegistry(name, version) {
  try {
    const out = execFileSync(
      'npm',
      ['view', `${name}@${version}`, 'os', 'cpu', 'libc', 'license', '--json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20_000,
      },
    );
    return out.trim() ? JSON.parse(out) : undefined;
  } catch {
    return undefined; // not served here
  }
}

/** Missing optional platform packages: [lockPath, name, version, parentEntry]. */
export function missingPlatformPackages(lock) {
  const out = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = path ? `${path}/node_modules/${dep}` : `node_modules/${dep}`;
      if (lock.packages[nested] || lock.packages[`node_modules/${dep}`]) continue;
      if (!platformOf(dep)) continue; // not a platform package: npm resolves it normally
      out.push([`node_modules/${dep}`, dep, version, entry]);
    }
  }
  return out;
}

/** The lock file a command-line argument names (a path or its directory); the root's by default. */
export function lockPath(arg) {
  if (!arg) return join(ROOT, 'package-lock.json');
  const path = resolve(arg);
  return statSync(path).isDirectory() ? join(path, 'package-lock.json') : path;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const check = process.argv.includes('--check');
  const lockFile = lockPath(process.argv.slice(2).find((a) => !a.startsWith('--')));
  const shown = relative(process.cwd(), lockFile) || lockFile;
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  const missing = missingPlatformPackages(lock);
  if (check) {
    for (const [, name, version] of missing)
      console.error(`missing from ${shown}: ${name}@${version}`);
    process.exit(missing.length ? 1 : 0);
  }
  for (const [path, name, version, parent] of missing) {
    const known = fromRegistry(name, version);
    const platform = known?.os
      ? {
          os: [known.os].flat(),
          cpu: [known.cpu].flat(),
          ...(known.libc ? { libc: [known.libc].flat() } : {}),
        }
      : platformOf(name);
    lock.packages[path] = {
      version,
      ...platform,
      ...(parent.dev ? { dev: true } : {}),
      ...(parent.license ? { license: known?.license ?? parent.license } : {}),
      optional: true,
    };
    console.log(
      `added ${name}@${version} (${platform.os}/${platform.cpu}${platform.libc ? `/${platform.libc}` : ''})`,
    );
  }
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
    ),
  );
  lock.packages = sorted;
  writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    missing.length ? `${shown}: ${missing.length} platform packages added` : `${shown} is complete`,
  );
}
