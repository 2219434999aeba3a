export default {
  displayName: 'example-agents',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/examples/a2a-agents',
};
