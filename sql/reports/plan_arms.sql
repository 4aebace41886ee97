-- One row per plan arm over every accepted plan row (CONTRACT section 7.3):
-- how many plans hold the arm, and its assignments, done, open and complied
-- (done with the planned ask). Counts only: no contact, no member.
WITH per_arm AS (
    SELECT
        arm,
        count(DISTINCT [member, plan_id]) AS plans,
        count(*) AS assigned,
        count(call_id) AS done,
        count(*) FILTER (WHERE complied) AS complied
    FROM plan_assignments
    GROUP BY arm
),
final AS (
    SELECT arm, plans, assigned, done, assigned - done AS open, complied
    FROM per_arm
)
SELECT *
FROM final
ORDER BY
    CASE arm WHEN 'job' THEN 0 WHEN 'reference' THEN 1 WHEN 'introduction' THEN 2 ELSE 3 END,
    arm
