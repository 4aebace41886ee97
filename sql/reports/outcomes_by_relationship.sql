-- Group rates per (relationship, strategy), for the heat map.
SELECT
    relationship, strategy, calls, mature_calls,
    yes_rate_n, yes_rate_x, yes_rate,
    lead_rate_n, lead_rate_x, lead_rate
FROM outcomes_by_relationship
WHERE scope = 'group'
ORDER BY relationship, strategy
