// The answering side of the benchmark's floors, in its own process like the bridges: a raw NATS echo
// responder, a plain @xmpp/client session that answers XEP-0332 <req/> IQs with the same body, and the
// same echo on the bridge's own XMPP stack.
// Prints "ready" once both listen. Env: NATS_URL, XMPP_SERVICE, XMPP_DOMAIN, XMPP_USER, XMPP_PASSWORD
// (NODE_EXTRA_CA_CERTS trusts the private CA: @xmpp/client has no TLS options).
import { connect } from '@nats-io/transport-node';
import { client, xml } from '@xmpp/client';
import { type Element, xml as bridgeXml } from '@xmpp/xml';
import { readFileSync } from 'node:fs';
import { login } from '../../apps/xmpp-bridge/src/xmpp/login.procedure.js';
import { ScramKeyCache } from '../../apps/xmpp-bridge/src/xmpp/sasl/scram.js';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const nc = await connect({ servers: env('NATS_URL') });
nc.subscribe('bench.xmpp.floor.echo', {
  callback: (_err, msg) => {
    msg.respond(msg.data);
  },
});

const xmpp = client({
  service: env('XMPP_SERVICE'),
  domain: env('XMPP_DOMAIN'),
  username: env('XMPP_USER'),
  password: env('XMPP_PASSWORD'),
  resource: 'floor',
});
xmpp.on('error', () => undefined);
xmpp.iqCallee.set('urn:xmpp:http', 'req', (ctx) =>
  xml(
    'resp',
    { xmlns: 'urn:xmpp:http', version: '1.1', statusCode: '200' },
    xml('data', {}, xml('text', {}, ctx.element.getChild('data')?.getChildText('text') ?? '')),
  ),
);
await xmpp.start();

// The same echo on the bridge's own XMPP stack (its login, parser and TLS socket), for a second floor.
const domain = env('XMPP_DOMAIN');
const own = await login(
  {
    jid: { local: env('XMPP_USER'), domain, resource: 'own-floor' },
    bare: `${env('XMPP_USER')}@${domain}`,
    password: env('XMPP_PASSWORD'),
    domain,
    host: '127.0.0.1',
    port: Number(new URL(env('XMPP_SERVICE')).port),
    tls: 'starttls',
    sources: { host: 'bench', port: 'bench', domain: 'bench', tls: 'bench' },
    validateCert: true,
    ca: readFileSync(env('NODE_EXTRA_CA_CERTS'), 'utf8'),
    timeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    resource: 'own-floor',
    keepaliveMs: 0,
    reconnect: { initialMs: 100, maxMs: 1_000 },
  },
  new ScramKeyCache(),
);
own.client.on('element', (el: Element) => {
  if (el.name !== 'iq' || el.attrs['type'] !== 'set') return;
  const text = el.getChild('req')?.getChild('data')?.getChildText('text') ?? '';
  void own.client.sendElement(
    bridgeXml(
      'iq',
      { type: 'result', to: el.attrs['from'], id: el.attrs['id'] },
      bridgeXml(
        'resp',
        { xmlns: 'urn:xmpp:http', version: '1.1', statusCode: '200' },
        bridgeXml('data', {}, bridgeXml('text', {}, text)),
      ),
    ),
  );
});
await nc.flush();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  own.client.destroy();
  void Promise.allSettled([xmpp.stop(), nc.close()]).then(() => process.exit(0));
});
