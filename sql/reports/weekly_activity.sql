-- Calls per ISO week and strategy, per (scope, member).
SELECT scope, member, week_start, strategy, calls
FROM weekly_activity
ORDER BY scope, member NULLS FIRST, week_start, strategy
