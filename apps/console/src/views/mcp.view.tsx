import { discoverTools, type McpOffer } from '../api/mcp.client';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { useSession } from '../context';
import {
  exampleAuthHeaders,
  MODERN_REVISION,
  modernExample,
  SESSION_REVISION,
  sessionExample,
} from '../model/mcp-connect';

/**
 * MCP: how to connect an MCP client to the platform as the signed-in user — the endpoint, the headers,
 * runnable examples of both revisions /mcp answers — and the tools it offers them, read from /mcp
 * itself over revision 2026-07-28 with their credentials (docs/mcp.md).
 */
export function McpView() {
  const { client, headers: auth } = useSession();
  const endpoint = client.url('mcp');
  const offer = useLoad((signal) => discoverTools({ url: endpoint, headers: auth }, signal), []);
  return (
    <Page id="mcp" title="MCP">
      <p>
        Connect any MCP client to <code class="mcp-endpoint">{endpoint}</code> (Streamable HTTP).
        One endpoint answers both revisions: <strong>{MODERN_REVISION}</strong> (no session; any
        gateway replica answers any request) and <strong>{SESSION_REVISION}</strong> (a session
        opened by <code>initialize</code>). Official SDKs choose by themselves:{' '}
        <code>@modelcontextprotocol/client</code> 2.x discovers {MODERN_REVISION},{' '}
        <code>@modelcontextprotocol/sdk</code> 1.x initializes a session.
      </p>
      <h2>Your headers</h2>
      <ul class="mcp-headers">
        {exampleAuthHeaders(auth).map(([name, value]) => (
          <li key={name}>
            <code>
              {name}: {value}
            </code>
          </li>
        ))}
      </ul>
      {Object.keys(auth).some((h) => h.toLowerCase() === 'authorization') && (
        <p class="muted">Set SB_TOKEN to your access token; the page does not print it.</p>
      )}
      <h2>Revision {MODERN_REVISION}</h2>
      <p>
        Every request carries <code>MCP-Protocol-Version</code>, <code>Mcp-Method</code> (and{' '}
        <code>Mcp-Name</code> for a call) agreeing with its body, and the revision in{' '}
        <code>_meta</code>.
      </p>
      <pre class="mcp-example" data-revision={MODERN_REVISION}>
        {modernExample(endpoint, auth)}
      </pre>
      <h2>Revision {SESSION_REVISION}</h2>
      <pre class="mcp-example" data-revision={SESSION_REVISION}>
        {sessionExample(endpoint, auth)}
      </pre>
      <h2>Tools you can call over MCP</h2>
      <ErrorNotice error={offer.error} />
      {offer.loading && !offer.data && <p class="muted">Asking /mcp…</p>}
      {offer.data && <Offer offer={offer.data} />}
    </Page>
  );
}

function Offer({ offer }: { offer: McpOffer }) {
  return (
    <>
      <p class="mcp-server">
        {offer.server.name} {offer.server.version} answered over{' '}
        {offer.supportedVersions.join(', ')}
        {offer.extensions.length > 0 && <> with the extensions {offer.extensions.join(', ')}</>}.
      </p>
      {offer.tools.length === 0 ? (
        <p class="mcp-tools-none">No tools are offered to you.</p>
      ) : (
        <ul class="mcp-tools">
          {offer.tools.map((t) => (
            <li key={t.name} data-tool={t.name}>
              <code>{t.name}</code>
              {t.description && <span class="muted"> — {t.description}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
