// The doc tools' unit tests (tools/docs): the generated API documents checked by their official parsers.
// tools/chaos is a project of its own, with its own tests.
export default {
  displayName: 'tools',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/docs/**/*.spec.ts'],
  coverageDirectory: '../coverage/tools',
};
