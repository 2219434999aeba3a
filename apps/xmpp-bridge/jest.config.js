export default {
  displayName: 'xmpp-bridge',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  coverageDirectory: '../../coverage/apps/xmpp-bridge',
};
