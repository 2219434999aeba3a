// `node dist/apps/xmpp-bridge/src/doctor.js` (npm run xmpp:doctor): runs the bridge's login once with
// the same settings and prints the phase-by-phase report, then checks the peers of SERVICE_MAP
// (presence, and whether they advertise urn:xmpp:http). Exit code 0 when the login works, 1 when not.
import { loadConfigOrExit } from '@switchboard/config';
import { type Element, xml } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { resolveBridgeSettings } from './config/bridge-settings.js';
import { XmppBridgeEnv } from './config/xmpp-bridge.env.js';
import { NS_DISCO_INFO } from './xmpp/disco.js';
import { NS_HTTP } from './xmpp/http-over-xmpp.translator.js';
import { LoginFailedError, type LoginStep } from './xmpp/login.errors.js';
import { login } from './xmpp/login.procedure.js';
import { ScramKeyCache } from './xmpp/sasl/scram.js';
import type { BridgeClient } from './xmpp/bridge.client.js';
import { bareOf } from '@switchboard/config';

const out = (line = '') => process.stdout.write(`${line}\n`);

function printSteps(steps: readonly LoginStep[]): void {
  for (const s of steps)
    out(`  ${s.ok ? '✓' : '✗'} ${s.phase.padEnd(8)} ${`${s.ms} ms`.padStart(8)}  ${s.detail}`);
}

function query(
  client: BridgeClient,
  to: string,
  payload: Element,
  timeoutMs: number,
): Promise<Element | undefined> {
  const id = randomUUID();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('element', listener);
      resolve(undefined);
    }, timeoutMs);
    const listener = (el: Element) => {
      if (el.name !== 'iq' || el.attrs['id'] !== id) return;
      clearTimeout(timer);
      client.off('element', listener);
      resolve(el);
    };
    client.on('element', listener);
    client.sendElement(xml('iq', { type: 'get', to, id }, payload)).catch(() => resolve(undefined));
  });
}

async function main(): Promise<number> {
  const config = loadConfigOrExit('xmpp-bridge', XmppBridgeEnv);
  const settings = resolveBridgeSettings(config, process.argv.slice(2));
  const x = settings.xmpp;
  out(`XMPP doctor for ${x.bare}`);
  out(`  server  ${x.host}:${x.port} (host from ${x.sources.host}, port from ${x.sources.port})`);
  out(`  domain  ${x.domain} (from ${x.sources.domain}); TLS ${x.tls} (${x.sources.tls})`);
  out(
    `  certificate check ${x.validateCert ? 'on' : 'OFF'}${x.ca ? ' (extra CA from XMPP_BRIDGE_CA_FILE)' : ''}; timeout ${x.timeoutMs / 1000} s (TCP connect ${x.connectTimeoutMs / 1000} s); resource ${x.resource}`,
  );
  out(
    `  password ${x.password ? 'set' : 'missing'}; server mode ${settings.serverMode ? 'on' : 'off'}; NATS commands ${settings.natsCommands ? 'on' : 'off'}`,
  );
  out();

  const peers = new Map<string, Set<string>>();
  for (const jid of settings.serviceMap.values()) peers.set(bareOf(jid), new Set());
  let result;
  try {
    result = await login(x, new ScramKeyCache(), {
      beforePresence: (client) =>
        client.on('element', (el: Element) => {
          const from = el.attrs['from'];
          if (el.name !== 'presence' || !from?.includes('/') || el.attrs['type']) return;
          peers.get(bareOf(from))?.add(from);
        }),
    });
  } catch (e) {
    if (!(e instanceof LoginFailedError)) throw e;
    printSteps(e.steps);
    out();
    out(`FAILED: ${e.failure.line}`);
    return 1;
  }
  printSteps(result.steps);
  out();
  out(
    `OK: logged in as ${result.boundJid} with ${result.mechanism}${result.tls ? ` over ${result.tls.protocol}` : ' WITHOUT TLS'} in ${result.elapsedMs} ms`,
  );

  if (peers.size > 0) {
    const client = result.client;
    for (const peer of peers.keys())
      await client.sendElement(xml('presence', { to: peer, type: 'subscribe' }));
    const deadline = Date.now() + settings.presenceWaitMs;
    while (Date.now() < deadline && [...peers.values()].some((r) => r.size === 0))
      await new Promise((r) => setTimeout(r, 50));
    out();
    out('SERVICE_MAP peers:');
    for (const [host, jid] of settings.serviceMap) {
      const resources = peers.get(bareOf(jid)) ?? new Set<string>();
      const target = jid.includes('/') ? jid : [...resources][0];
      let http = 'unknown';
      if (target) {
        const info = await query(client, target, xml('query', { xmlns: NS_DISCO_INFO }), 3_000);
        const features =
          info
            ?.getChild('query', NS_DISCO_INFO)
            ?.getChildren('feature')
            .map((f) => f.attrs['var']) ?? [];
        http = !info
          ? 'no disco answer'
          : features.includes(NS_HTTP)
            ? 'advertises urn:xmpp:http'
            : 'does NOT advertise urn:xmpp:http';
      }
      out(
        `  ${host} → ${jid}: ${resources.size > 0 || jid.includes('/') ? `online (${[...resources].join(', ') || jid}), ${http}` : 'offline or not subscribed'}`,
      );
    }
  }
  await Promise.race([
    result.client.stop().catch(() => undefined),
    new Promise((r) => setTimeout(r, 1_000)),
  ]);
  result.client.destroy();
  return 0;
}

process.exitCode = await main();
