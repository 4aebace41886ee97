-- The group's Kaplan-Meier curves of days to a call's first lead, per strategy.
-- Day 0 may hold two rows (before and after its events): survival descending
-- puts them in curve order.
SELECT strategy, day, at_risk, events, censored, survival, survival_lo, survival_hi
FROM time_to_first_lead
WHERE scope = 'group'
ORDER BY strategy, day, survival DESC
