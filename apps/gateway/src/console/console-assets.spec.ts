import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzipSync,
} from 'node:zlib';
import { acceptedCodings, ConsoleAssets } from './console-assets.js';

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-console-assets-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>x</title>${' '.repeat(2_000)}`);
  writeFileSync(join(dir, 'assets', 'index-Bx9_k2Lm.js'), `console.log(1);${'//'.repeat(2_000)}`);
  writeFileSync(join(dir, 'assets', 'tiny-AbCdEfGh.css'), 'a{}');
  return dir;
}

describe(ConsoleAssets.name, () => {
  it('serves each built file in the best encoding the client accepts', () => {
    const dir = builtConsole();
    try {
      const sut = ConsoleAssets.load(dir);
      expect(sut.built).toBe(true);
      expect(sut.names).toEqual([
        'assets/index-Bx9_k2Lm.js',
        'assets/tiny-AbCdEfGh.css',
        'index.html',
      ]);
      const br = sut.answer('assets/index-Bx9_k2Lm.js', 'gzip, deflate, br')!;
      expect(br.encoding).toBe('br');
      expect(brotliDecompressSync(br.body).toString()).toMatch(/^console\.log\(1\);/);
      const gz = sut.answer('index.html', 'gzip;q=1, br;q=0')!;
      expect(gz.encoding).toBe('gzip');
      expect(gunzipSync(gz.body).toString()).toMatch(/^<!doctype html>/);
      expect(gz.asset.contentType).toBe('text/html; charset=utf-8');
      expect(gz.asset.immutable).toBe(false);
      expect(br.asset.immutable).toBe(true);
      expect(br.asset.contentType).toBe('text/javascript; charset=utf-8');
      // Too small to be worth compressing; identity when nothing is accepted.
      expect(sut.answer('assets/tiny-AbCdEfGh.css', 'br')!.encoding).toBeUndefined();
      expect(sut.answer('index.html', undefined)!.encoding).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves the build's own compressed forms (<file>.br, .gz) as they are, never as files, and remakes one that is not the file's", () => {
    const dir = builtConsole();
    try {
      const js = join(dir, 'assets', 'index-Bx9_k2Lm.js');
      // Byte-for-byte the build's (a lower quality than the gateway's own, so it shows which was served).
      const built = brotliCompressSync(`console.log(1);${'//'.repeat(2_000)}`, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 1 },
      });
      writeFileSync(`${js}.br`, built);
      writeFileSync(`${js}.gz`, gzipSync('not this file'));
      const sut = ConsoleAssets.load(dir);
      expect(sut.names).toEqual([
        'assets/index-Bx9_k2Lm.js',
        'assets/tiny-AbCdEfGh.css',
        'index.html',
      ]);
      expect(sut.answer('assets/index-Bx9_k2Lm.js', 'br')!.body.equals(built)).toBe(true);
      const gz = sut.answer('assets/index-Bx9_k2Lm.js', 'gzip')!;
      expect(gunzipSync(gz.body).toString()).toMatch(/^console\.log\(1\);/);
      expect(sut.answer('assets/index-Bx9_k2Lm.js.br', 'br')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows only the files it loaded: no path reaches outside them', () => {
    const dir = builtConsole();
    try {
      const sut = ConsoleAssets.load(join(dir));
      for (const name of ['../index.html', 'assets/../index.html', '/etc/passwd', 'assets/%2e%2e'])
        expect(sut.answer(name, 'br')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty when the console was not built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-console-empty-'));
    try {
      expect(ConsoleAssets.load(dir).built).toBe(false);
      expect(ConsoleAssets.load(join(dir, 'missing')).built).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(acceptedCodings.name, () => {
  it('reads Accept-Encoding, leaving out codings refused with q=0', () => {
    expect([...acceptedCodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedCodings('br;q=0, gzip;q=0.5')]).toEqual(['gzip']);
    expect([...acceptedCodings('*')]).toEqual(['*']);
    expect([...acceptedCodings(undefined)]).toEqual([]);
  });
});
