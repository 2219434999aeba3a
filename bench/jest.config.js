export default {
  displayName: 'bench',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  coverageDirectory: '../coverage/bench',
};
