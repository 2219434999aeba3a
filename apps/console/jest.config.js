import preset from '../../jest.preset.js';

export default {
  displayName: 'console',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/apps/console',
  // A component's spec calls it as a function and reads what it renders (no DOM here): its .tsx
  // goes through swc with Preact's JSX runtime, as vite builds it.
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    ...preset.transform,
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic', importSource: 'preact' } },
          target: 'es2022',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
};
