import { NATS_AUTH_TIMEOUT_SECONDS, renderNatsAuthorization } from './nats-server-config.js';

describe('renderNatsAuthorization', () => {
  const rendered = renderNatsAuthorization(
    { gateway: { passwordVariable: 'NATS_PASSWORD_GATEWAY' }, orchestrator: { nkey: 'UABC' } },
    { acme: { password: 'p' } },
  );

  it('gives the authorization block a longer timeout than the server default of 2 s', () => {
    // A cell starting on a loaded machine answered the nonce after 2 s and its mcp-tools was
    // refused with "Authentication Timeout" (an e2e run at load average 18).
    expect(NATS_AUTH_TIMEOUT_SECONDS).toBeGreaterThan(2);
    expect(rendered).toMatch(
      new RegExp(
        `^authorization \\{\\n(?:\\s*//.*\\n)*  timeout: ${NATS_AUTH_TIMEOUT_SECONDS}\\n`,
        'm',
      ),
    );
  });

  it('writes one user per identity given, with its own credentials and no secret from a variable', () => {
    expect(rendered).toContain('password: $NATS_PASSWORD_GATEWAY');
    expect(rendered).toContain('nkey: "UABC"');
    expect(rendered).toContain('# operator-acme');
    expect(rendered).not.toContain('# mcp-tools');
  });
});
