/**
 * The hub's atomic steps, as Lua scripts (Redis runs each one without interleaving any other command), so no
 * two instances can both take the lease, both pass the rate check, or publish over a newer token.
 * Time in the rate log is the hub's own (TIME), so machines with skewed clocks still share one window.
 */

/** KEYS: lease, fence. ARGV: owner, ttlMs. Returns the new fencing number, or 0 when another instance holds it. */
export const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

/** KEYS: lease. ARGV: owner, ttlMs. Extends the lease only while this owner holds it. */
export const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** KEYS: lease. ARGV: owner. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * KEYS: token, fence. ARGV: fence, sealed box, ttlMs, channel. Stores and announces the token only when this
 * minter's fencing number is still the latest one handed out: a minter whose lease expired meanwhile (a pause,
 * a partition) cannot replace the token of the instance that took over.
 */
export const PUBLISH = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'box', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. ARGV[2])
return 1`;

/**
 * KEYS: log (sorted set of request times). ARGV: allowed, windowMs, member tag.
 * Returns {1, 0, now} when the request is admitted and recorded, {0, nextAllowedAt, now} when the window is full.
 */
export const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local allowed = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= allowed then
  local at = redis.call('ZRANGE', KEYS[1], n - allowed, n - allowed, 'WITHSCORES')
  return {0, tonumber(at[2]) + window, now}
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0, now}`;

/** KEYS: log. ARGV: limit, windowMs, member tag. Zoho throttled: the window counts as full from now. */
export const FILL = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, tonumber(ARGV[1]) do
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3] .. ':' .. i)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
