-- A portal session's link lookup now lasts as long as its session can (each recorded use moves
-- its expiry), and expired lookups are pruned. Lookups stored before kept the unopened link's
-- expiry, also for sessions opened and still in use: give them a week from the upgrade, time for
-- their next use to record a real expiry, so the first pruning takes no live link.
UPDATE tokens SET expires_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) + 7 * 86400
    WHERE kind = 'portal_session' AND expires_at < CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) + 7 * 86400;
