/**
 * The Lua scripts of TenantQuotas. Each check is ONE script: it reads the tenant's quota (or the
 * platform default), counts and decides atomically, so 64 replicas asking at once for the last slot
 * get exactly one yes, and a tenant without any quota costs one round trip that writes nothing.
 *
 * Every script replies `{1, source, …}` when admitted/within, `{0, source, quota, scope, limit, used,
 * retryAfter?}` when refused. `source` is 0 (no quota: nothing counted), 1 (the tenant's own) or 2
 * (the platform default) — the caller learns from it which tenants are under a quota, for outages.
 * Time is Redis's own (TIME), so replicas with skewed clocks share one window.
 */

/** Reads the effective quota: the tenant's hash, else the platform's; nil when neither exists. */
const PRELUDE = `
local function load_quota(tenant_key, platform_key)
  local raw = redis.call('HGETALL', tenant_key)
  local source = 1
  if #raw == 0 then
    raw = redis.call('HGETALL', platform_key)
    source = 2
  end
  if #raw == 0 then return nil, 0 end
  local q = {}
  for i = 1, #raw, 2 do q[raw[i]] = tonumber(raw[i + 1]) end
  return q, source
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/**
 * Admits a task against concurrentTasks and tasksPerMinute, tenant and user, in one step: the Lua
 * function `admit_task(k, a)`, so that a service can run it inside a script of its own (the gateway:
 * with its rate window, stream slot and owner record, one round trip). It writes nothing unless the
 * task is admitted.
 * k: tenant quota, platform quota, running (tenant), running (user), started (tenant),
 *    started (user), users counted today.
 * a: task id, lease ms, user id, Retry-After for concurrency (s), users-set TTL (s).
 * Running sets hold task ids scored with their lease expiry (a crashed task's slot frees itself);
 * started sets hold the task ids of the last 60 s scored with their start (a sliding window).
 */
export const ADMIT_TASK_FUNCTION = `${PRELUDE}
-- limits: {scope, sorted set, limit} of the tenant, then of the user. Drops the entries scored up to
-- expired from both, then answers the first set that is full: it and its count (nil: both have room).
local function first_full(limits, expired)
  for _, c in ipairs(limits) do redis.call('ZREMRANGEBYSCORE', c[2], '-inf', expired) end
  for _, c in ipairs(limits) do
    if c[3] then
      local used = redis.call('ZCARD', c[2])
      if used >= c[3] then return c, used end
    end
  end
  return nil
end
local function admit_task(k, a)
  local q, source = load_quota(k[1], k[2])
  if not q then return {1, 0} end
  local now = now_ms()
  local lease = tonumber(a[2])
  local id = a[1]
  if redis.call('ZSCORE', k[3], id) then
    -- the same task admitted again (a retried submission): counted once, its lease renewed
    redis.call('ZADD', k[3], now + lease, id)
    redis.call('ZADD', k[4], now + lease, id)
    return {1, source}
  end
  local running = {{'tenant', k[3], q['concurrentTasks']}, {'user', k[4], q['perUser.concurrentTasks']}}
  local c, used = first_full(running, now)
  if c then return {0, source, 'concurrentTasks', c[1], c[3], used, tonumber(a[4])} end
  local started = {{'tenant', k[5], q['tasksPerMinute']}, {'user', k[6], q['perUser.tasksPerMinute']}}
  c, used = first_full(started, now - 60000)
  if c then
    local oldest = redis.call('ZRANGE', c[2], 0, 0, 'WITHSCORES')
    local wait = math.ceil((tonumber(oldest[2]) + 60000 - now) / 1000)
    return {0, source, 'tasksPerMinute', c[1], c[3], used, math.max(1, wait)}
  end
  for i = 3, 4 do
    redis.call('ZADD', k[i], now + lease, id)
    extend(k[i], lease)
  end
  for i = 5, 6 do
    redis.call('ZADD', k[i], now, id)
    redis.call('PEXPIRE', k[i], 60000)
  end
  redis.call('SADD', k[7], a[3])
  redis.call('EXPIRE', k[7], tonumber(a[5]))
  return {1, source}
end
`;

/** The admission alone. KEYS: admit_task's k; ARGV: its a. */
export const ADMIT_TASK = `${ADMIT_TASK_FUNCTION}
return admit_task(KEYS, ARGV)
`;

/**
 * Extends a running task's lease (a long task the orchestrator still runs). A task whose slot was
 * released or has lapsed is not put back: the reply says 0.
 * KEYS: running (tenant), running (user). ARGV: task id, lease ms.
 */
export const RENEW_TASK = `${PRELUDE}
local now = now_ms()
local lease = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], 'XX', now + lease, ARGV[1])
  extend(KEYS[i], lease)
end
return 1
`;

/**
 * Checks, consumes or charges per-day counters (tokens, cost, tool calls, delegations): one kind, or
 * several in one step (a planning round's tokens and cost: one round trip for both).
 * KEYS: tenant quota, platform quota, day counters (tenant), day counters (user), users counted today.
 * ARGV: mode, TTL of the day's keys (s), user id, then per kind: counter field, quota name, amount
 *       (whole units; cost in micro-dollars), scale of the limit (1e6 for cost).
 * Modes: `check` (is `amount` left, or with 0 anything left), `consume` (take every `amount` only if
 * each is left: a call about to be made), `charge` (add what was spent anyway, e.g. an LLM call's
 * tokens; the reply is a refusal once nothing is left, so the caller stops spending). A refusal names
 * the first kind (in ARGV order) and scope (tenant, then user) over its limit.
 */
export const DAILY = `${PRELUDE}
local q, source = load_quota(KEYS[1], KEYS[2])
if not q then return {1, 0} end
local mode, ttl = ARGV[1], tonumber(ARGV[2])
local kinds = {}
for i = 4, #ARGV, 4 do
  local k = {field = ARGV[i], name = ARGV[i + 1], amount = tonumber(ARGV[i + 2]), scopes = {}}
  local scale = tonumber(ARGV[i + 3])
  local limits = {{'tenant', KEYS[3], q[k.name]}, {'user', KEYS[4], q['perUser.' .. k.name]}}
  for j, s in ipairs(limits) do
    local limit = s[3] and math.floor(s[3] * scale + 0.5) or nil
    local used = tonumber(redis.call('HGET', s[2], k.field) or '0')
    k.scopes[j] = {scope = s[1], key = s[2], limit = limit, used = used}
  end
  kinds[#kinds + 1] = k
end
local function over(exceeded)
  for _, k in ipairs(kinds) do
    for _, s in ipairs(k.scopes) do
      if s.limit and exceeded(k, s) then return {0, source, k.name, s.scope, s.limit, s.used} end
    end
  end
  return nil
end
if mode ~= 'charge' then
  local refusal = over(function(k, s)
    if k.amount > 0 then return s.used + k.amount > s.limit end
    return s.used >= s.limit
  end)
  if refusal then return refusal end
  if mode == 'check' then return {1, source} end
end
local counted = false
for _, k in ipairs(kinds) do
  if k.amount > 0 then
    for _, s in ipairs(k.scopes) do
      s.used = redis.call('HINCRBY', s.key, k.field, k.amount)
      redis.call('EXPIRE', s.key, ttl)
    end
    counted = true
  end
end
if counted then
  redis.call('SADD', KEYS[5], ARGV[3])
  redis.call('EXPIRE', KEYS[5], ttl)
end
if mode == 'charge' then
  local refusal = over(function(_, s) return s.used >= s.limit end)
  if refusal then return refusal end
end
return {1, source}
`;
