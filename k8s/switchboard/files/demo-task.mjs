// `helm test`: sends the demo task through the release's gateway, as a user, and checks that it
// completed, that its answer holds SB_TEST_EXPECT and that the steps named in SB_TEST_STEPS (the
// calculation and the saved note) completed. Authenticates the way the gateway's AUTH_MODE asks (its ConfigMap is in the env):
// jwt with JWT_SECRET: an HS256 token made here; jwt with JWKS only: SB_TEST_TOKEN; trusted-headers:
// TRUSTED_PROXY_SECRET; dev: X-User-Id. Node built-ins only (it runs in the gateway image).
import { createHmac, randomUUID } from 'node:crypto';

const env = process.env;
const gateway = env.SB_TEST_GATEWAY_URL;
const user = `helm-test-${randomUUID().slice(0, 8)}`;

function fail(message) {
  console.error(`helm test: ${message}`);
  process.exit(1);
}

/** A claim at a dotted path (`app_metadata.role`) as a nested object. */
function claimAt(path, value) {
  return path
    .split('.')
    .reverse()
    .reduce((inner, key) => ({ [key]: inner }), value);
}

function hs256Token() {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    ...claimAt(env.JWT_USER_ID_CLAIM || 'sub', user),
    ...claimAt(env.JWT_ROLE_CLAIM || 'role', 'user'),
    iat: now,
    exp: now + 300,
    ...(env.JWT_ISSUER ? { iss: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { aud: env.JWT_AUDIENCE } : {}),
  };
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', env.JWT_SECRET).update(body).digest('base64url')}`;
}

function authHeaders() {
  const mode = env.AUTH_MODE || 'jwt';
  if (mode === 'dev') return { 'x-user-id': user };
  if (mode === 'trusted-headers') {
    if (!env.TRUSTED_PROXY_SECRET)
      fail('AUTH_MODE=trusted-headers but TRUSTED_PROXY_SECRET is not set');
    return {
      [env.TRUSTED_PROXY_HEADER || 'x-proxy-secret']: env.TRUSTED_PROXY_SECRET,
      'x-supabase-user-id': user,
      'x-supabase-role': 'user',
    };
  }
  if (env.SB_TEST_TOKEN) return { authorization: `Bearer ${env.SB_TEST_TOKEN.trim()}` };
  if (env.JWT_SECRET) return { authorization: `Bearer ${hs256Token()}` };
  fail('AUTH_MODE=jwt without JWT_SECRET: give the test a token (tests.tokenSecret)');
}

async function call(path, init = {}) {
  const response = await fetch(`${gateway}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...authHeaders(), ...init.headers },
    signal: AbortSignal.timeout(120_000),
  }).catch((e) => fail(`${gateway}${path}: ${e.cause?.message ?? e.message}`));
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) fail(`${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return body;
}

const task = env.SB_TEST_TASK;
console.log(`helm test: "${task}" through ${gateway} as ${user}`);
const outcome = await call('/orchestrate', { method: 'POST', body: JSON.stringify({ task }) });
console.log(`helm test: ${outcome.status}: ${outcome.result}`);
if (outcome.status !== 'completed') fail(`the task ended ${outcome.status}`);
if (env.SB_TEST_EXPECT && !String(outcome.result).includes(env.SB_TEST_EXPECT))
  fail(`the answer does not contain "${env.SB_TEST_EXPECT}"`);
const view = await call(`/tasks/${outcome.task_id}`);
const steps = (view.steps ?? []).map((s) => `${s.target}:${s.status}`);
console.log(`helm test: steps ${steps.join(', ')}`);
const missing = (env.SB_TEST_STEPS || '')
  .split(',')
  .filter(Boolean)
  .filter((target) => !steps.includes(`${target}:completed`));
if (missing.length) fail(`no completed step for ${missing.join(', ')}`);
console.log('helm test: ok');
