-- The plans in the warehouse (CONTRACT section 7): how many, of how many members.
SELECT
    count(DISTINCT [member, plan_id]) AS plans,
    count(DISTINCT member) AS members
FROM plan_assignments
