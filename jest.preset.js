// Shared jest config: @swc/jest in native ESM mode (jest runs with NODE_OPTIONS=--experimental-vm-modules).
// Path aliases come from tsconfig.base.json (the single source of truth) -> moduleNameMapper.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const { compilerOptions } = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const aliasMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths ?? {}).map(([alias, [target]]) => [
    `^${escape(alias)}$`,
    resolve(root, target),
  ]),
);

export default {
  testEnvironment: 'node',
  cacheDirectory: resolve(root, 'node_modules/.cache/jest'),
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    ...aliasMapper,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  collectCoverageFrom: ['src/**/*.ts', '!src/main.ts', '!src/generated/**'],
  coverageProvider: 'v8',
  testTimeout: 30000,
  // Each file's wall time, for the table `npm test` ends with (SB_TEST_TIMINGS; no-op without it).
  reporters: ['default', resolve(root, 'tools/test-timings/jest-reporter.mjs')],
  // A failed test can leave a response stream open (an SSE body no one reads to its end); jest would
  // then wait for it forever after the results, and a CI stage would hang instead of going red.
  // The results are complete by then: exit.
  forceExit: true,
};
