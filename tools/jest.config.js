// The doc tools' unit tests (tools/docs): the generated API documents checked by their official parsers;
// and the test-time report `npm test` ends with (tools/test-timings).
// tools/chaos is a project of its own, with its own tests.
export default {
  displayName: 'tools',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/docs/**/*.spec.ts', '<rootDir>/test-timings/**/*.spec.ts'],
  coverageDirectory: '../coverage/tools',
};
