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
 * Admits a task against concurrentTasks and tasksPerMinute, tenant and user, in one step.
 * KEYS: tenant quota, platform quota, running (tenant), running (user), started (tenant),
 *       started (user), users counted today.
 * ARGV: task id, lease ms, user id, Retry-After for concurrency (s), users-set TTL (s).
 * Running sets hold task ids scored with their lease expiry (a crashed task's slot frees itself);
 * started sets hold the task ids of the last 60 s scored with their start (a sliding window).
 */
export const ADMIT_TASK = `${PRELUDE}
local q, source = load_quota(KEYS[1], KEYS[2])
if not q then return {1, 0} end
local now = now_ms()
local lease = tonumber(ARGV[2])
local id = ARGV[1]
if redis.call('ZSCORE', KEYS[3], id) then
  -- the same task admitted again (a retried submission): counted once, its lease renewed
  redis.call('ZADD', KEYS[3], now + lease, id)
  redis.call('ZADD', KEYS[4], now + lease, id)
  return {1, source}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local running = {{'tenant', KEYS[3], q['concurrentTasks']}, {'user', KEYS[4], q['perUser.concurrentTasks']}}
for _, c in ipairs(running) do
  if c[3] then
    local used = redis.call('ZCARD', c[2])
    if used >= c[3] then return {0, source, 'concurrentTasks', c[1], c[3], used, tonumber(ARGV[4])} end
  end
end
local since = now - 60000
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', since)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', since)
local started = {{'tenant', KEYS[5], q['tasksPerMinute']}, {'user', KEYS[6], q['perUser.tasksPerMinute']}}
for _, c in ipairs(started) do
  if c[3] then
    local used = redis.call('ZCARD', c[2])
    if used >= c[3] then
      local oldest = redis.call('ZRANGE', c[2], 0, 0, 'WITHSCORES')
      local wait = math.ceil((tonumber(oldest[2]) + 60000 - now) / 1000)
      return {0, source, 'tasksPerMinute', c[1], c[3], used, math.max(1, wait)}
    end
  end
end
for i = 3, 4 do
  redis.call('ZADD', KEYS[i], now + lease, id)
  extend(KEYS[i], lease)
end
for i = 5, 6 do
  redis.call('ZADD', KEYS[i], now, id)
  redis.call('PEXPIRE', KEYS[i], 60000)
end
redis.call('SADD', KEYS[7], ARGV[3])
redis.call('EXPIRE', KEYS[7], tonumber(ARGV[5]))
return {1, source}
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
 * Checks, consumes or charges a per-day counter (tokens, cost, tool calls, delegations).
 * KEYS: tenant quota, platform quota, day counters (tenant), day counters (user), users counted today.
 * ARGV: counter field, quota name, amount (whole units; cost in micro-dollars), mode, scale of the
 *       limit (1e6 for cost), TTL of the day's keys (s), user id.
 * Modes: `check` (is `amount` left, or with 0 anything left), `consume` (take `amount` only if it is
 * left: a call about to be made), `charge` (add what was spent anyway, e.g. an LLM call's tokens; the
 * reply is a refusal once nothing is left, so the caller stops spending).
 */
export const DAILY = `${PRELUDE}
local q, source = load_quota(KEYS[1], KEYS[2])
if not q then return {1, 0, 0, 0} end
local field, name, amount, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local scale = tonumber(ARGV[5])
local scopes = {{'tenant', KEYS[3], q[name]}, {'user', KEYS[4], q['perUser.' .. name]}}
local used = {}
for i, s in ipairs(scopes) do
  used[i] = tonumber(redis.call('HGET', s[2], field) or '0')
  if s[3] then s[3] = math.floor(s[3] * scale + 0.5) end
end
if mode ~= 'charge' then
  for i, s in ipairs(scopes) do
    if s[3] and ((amount > 0 and used[i] + amount > s[3]) or (amount == 0 and used[i] >= s[3])) then
      return {0, source, name, s[1], s[3], used[i]}
    end
  end
  if mode == 'check' then return {1, source, used[1], used[2]} end
end
for i, s in ipairs(scopes) do
  used[i] = redis.call('HINCRBY', s[2], field, amount)
  redis.call('EXPIRE', s[2], tonumber(ARGV[6]))
end
redis.call('SADD', KEYS[5], ARGV[7])
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[6]))
if mode == 'charge' then
  for i, s in ipairs(scopes) do
    if s[3] and used[i] >= s[3] then return {0, source, name, s[1], s[3], used[i]} end
  end
end
return {1, source, used[1], used[2]}
`;
