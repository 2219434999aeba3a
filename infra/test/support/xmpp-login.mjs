#!/usr/bin/env node
// One XMPP login with @xmpp/client, in its own process so that NODE_EXTRA_CA_CERTS (read at start-up
// only) decides which CA is trusted. Prints one JSON line: {ok, jid, secure, ms} or {ok:false, name, condition, code, message}.
//   node xmpp-login.mjs '{"service":"xmpp://127.0.0.1:5222","domain":"agents.switchboard.local","username":"u","password":"p"}'
import { client } from '@xmpp/client';

const {
  service,
  domain,
  username,
  password,
  timeout = 30_000,
} = JSON.parse(process.argv[2] ?? '{}');
const xmpp = client({ service, domain, username, password, resource: 'infra-check', timeout });
xmpp.on('error', () => undefined); // failures are reported through start()'s rejection
// @xmpp/client 0.14 may also reject outside start() (e.g. a reset socket): report, do not crash.
let settled = false;
const finish = async (result, code) => {
  if (settled) return;
  settled = true;
  console.log(JSON.stringify(result));
  await Promise.race([
    xmpp.stop().catch(() => undefined), // already closing or closed: nothing to stop
    new Promise((r) => setTimeout(r, 2000).unref()),
  ]);
  process.exit(code);
};
process.on('unhandledRejection', (err) =>
  finish(
    {
      ok: false,
      name: err?.name,
      code: err?.code,
      condition: err?.condition,
      message: String(err?.message ?? err),
    },
    1,
  ),
);
const t0 = Date.now();
try {
  const jid = await xmpp.start();
  await finish({ ok: true, jid: jid.toString(), secure: xmpp.isSecure(), ms: Date.now() - t0 }, 0);
} catch (err) {
  await finish(
    {
      ok: false,
      name: err?.name,
      code: err?.code,
      condition: err?.condition,
      message: String(err?.message ?? err),
    },
    1,
  );
}
