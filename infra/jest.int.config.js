// Integration checks that start real processes (a private Prosody on random ports in a temp dir).
export default {
  displayName: 'infra:int',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  testTimeout: 120000,
};
