-- Rates per (scope, member, strategy): the group block and every member's block.
SELECT
    scope, member, strategy, calls, mature_calls,
    yes_rate_n, yes_rate_x, yes_rate, yes_rate_lo, yes_rate_hi,
    intro_rate_n, intro_rate_x, intro_rate, intro_rate_lo, intro_rate_hi,
    lead_rate_n, lead_rate_x, lead_rate, lead_rate_lo, lead_rate_hi,
    reached_out_rate_n, reached_out_rate_x, reached_out_rate, reached_out_rate_lo,
    reached_out_rate_hi,
    leads_per_call, leads_per_call_lo, leads_per_call_hi
FROM outcomes_by_strategy
ORDER BY scope, member NULLS FIRST, strategy
