export default {
  displayName: 'audit:int',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
  testTimeout: 60000,
};
