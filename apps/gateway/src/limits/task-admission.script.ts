import { ADMIT_TASK_FUNCTION } from '@switchboard/runtime';

/**
 * A new task's admission at the gateway, in ONE script (one round trip): the request's rate window,
 * the stream slot of the session that submits it, the tenant's quotas and the task's owner record.
 * Atomic like each of them was alone, so N replicas asking at once for the last unit of any of them
 * get exactly one yes; it takes nothing unless it takes everything (a refused slot or quota leaves the
 * others as they were), except the rate window, which counts every request, refused or not, as
 * RequestRateLimiter's (rate-limiter-flexible's RateLimiterRedis) does on the same key.
 *
 * KEYS: 1–7 the quota admission's (TenantQuotas.admissionCall), 8 the user's rate window
 *       (`rl:req:<user>`), 9 the user's stream slots (STREAM_SLOTS_KEY), 10 the owner record.
 * ARGV: 1–5 the quota admission's (1: the task id, also the stream slot's id), 6 the rate limit per
 *       window (0: not charged here), 7 the window (s), 8 now (ms, this replica's clock, as the
 *       stream slots' renewals use), 9 the stream lease (ms), 10 the streams cap (0: no slot),
 *       11 the owner (`<tenant>/<user>`), 12 how long the owner is kept (ms).
 * Replies `{'rate', consumed, ttl ms}`, `{'streams'}`, `{'quota', admit_task's refusal}` or
 * `{'ok', admit_task's reply}`.
 */
export const TASK_ADMISSION = `${ADMIT_TASK_FUNCTION}
local slot = ARGV[1]
local limit = tonumber(ARGV[6])
if limit > 0 then
  redis.call('SET', KEYS[8], 0, 'EX', ARGV[7], 'NX')
  local consumed = redis.call('INCRBY', KEYS[8], 1)
  local ttl = redis.call('PTTL', KEYS[8])
  if ttl == -1 then
    redis.call('EXPIRE', KEYS[8], ARGV[7])
    ttl = 1000 * ARGV[7]
  end
  if consumed > limit then return {'rate', consumed, ttl} end
end
local now, lease, cap = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now)
  if not redis.call('ZSCORE', KEYS[9], slot) and redis.call('ZCARD', KEYS[9]) >= cap then
    return {'streams'}
  end
end
local quota = admit_task({KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]}, ARGV)
if quota[1] == 0 then return {'quota', quota} end
if cap > 0 then
  redis.call('ZADD', KEYS[9], now + lease, slot)
  redis.call('PEXPIRE', KEYS[9], lease)
end
redis.call('SET', KEYS[10], ARGV[11], 'PX', ARGV[12])
return {'ok', quota}
`;
