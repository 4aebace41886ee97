-- Whether plan_rows differs from its copy taken before the rebuild
-- (previous_plan_rows), as multisets of rows.
WITH added AS (
    SELECT * FROM plan_rows
    EXCEPT ALL
    SELECT * FROM previous_plan_rows
),

dropped AS (
    SELECT * FROM previous_plan_rows
    EXCEPT ALL
    SELECT * FROM plan_rows
),

final AS (
    SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM dropped) > 0 AS changed
)

SELECT * FROM final
