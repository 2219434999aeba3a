import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const up = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The workspace root (libs/testing/src → ../../..). Compiled into dist/libs/testing/src (a benchmark
 * runs from dist/), that is dist/ itself: the root is then one level further up.
 */
export const repoRoot =
  basename(up) === 'dist' && existsSync(join(up, '..', 'package.json')) ? dirname(up) : up;
