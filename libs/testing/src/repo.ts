import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (libs/testing/src → ../../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
