export default {
  displayName: 'cli:int',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  testTimeout: 60000,
};
