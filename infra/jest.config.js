// Static deploy checks: docker-compose.yml, the Dockerfiles, the Helm chart (helm lint/template + the
// Kubernetes schemas), and the stack scripts' refusal of bad settings. Fast, no services needed.
export default {
  displayName: 'infra',
  preset: '../jest.preset.js',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  coverageDirectory: '../coverage/infra',
  testTimeout: 120000,
};
