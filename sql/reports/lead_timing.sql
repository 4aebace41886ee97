-- Leads during mature calls against leads that came later, per (scope, member, strategy).
SELECT scope, member, strategy, mature_calls, immediate_leads, later_leads
FROM lead_timing
ORDER BY scope, member NULLS FIRST, strategy
