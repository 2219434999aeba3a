#!/usr/bin/env node
// `switchboard` as npm links it (node_modules/.bin/switchboard: what `npx switchboard` runs in a
// checkout). It runs the built CLI, dist/apps/cli/src/main.js, of the checkout it is started in (else
// of its own) — on the project's own Node (node_modules/.bin/node) when the Node that started it is
// older than the project's `engines`, as the machine's Node 20 is, and in this process otherwise.
// Plain JavaScript with nothing but node: imports, so that any Node from 18 on can run it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The name of the package.json at the root of every checkout and image of the platform. */
const ROOT_PACKAGE = '@switchboard/source';

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The nearest directory from `dir` up whose package.json is the platform's, with that package.json. */
function checkoutAbove(dir) {
  for (let at = dir; ; at = dirname(at)) {
    const pkg = readJson(join(at, 'package.json'));
    if (pkg?.name === ROOT_PACKAGE) return { root: at, pkg };
    if (dirname(at) === at) return undefined;
  }
}

/** `[major, minor, patch]` of `24.11.0`, `v20.20.2` or the first version in `>=24.11.0`. */
function versionOf(text) {
  const [, major, minor, patch] = /(\d+)\.(\d+)\.(\d+)/.exec(text ?? '') ?? [];
  return major === undefined ? undefined : [Number(major), Number(minor), Number(patch)];
}

function older(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function fail(message) {
  process.stderr.write(`switchboard: ${message}\n`);
  process.exit(2);
}

const checkout =
  checkoutAbove(process.cwd()) ?? checkoutAbove(dirname(fileURLToPath(import.meta.url)));
if (!checkout) fail(`no checkout of the platform (${ROOT_PACKAGE}) above ${process.cwd()}`);
const cli = join(checkout.root, 'dist/apps/cli/src/main.js');
if (!existsSync(cli))
  fail(`the CLI is not built in ${checkout.root}: npx nx run cli:build (or npm run build)`);

const needed = versionOf(checkout.pkg.engines?.node);
if (!needed || !older(versionOf(process.versions.node), needed)) {
  await import(pathToFileURL(cli).href);
} else {
  const node = join(checkout.root, 'node_modules/.bin/node');
  if (!existsSync(node))
    fail(
      `it needs Node ${checkout.pkg.engines.node}, this is ${process.version}, and the project's own Node is not installed: npm ci (or npm run up)`,
    );
  const child = spawn(node, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches both processes (one process group); a signal sent to this one only is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => child.exitCode === null && child.kill(signal));
  child.on('error', (e) => fail(`could not start ${node}: ${e.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
