-- The plan rows that count, with the earlier plan that already holds each
-- contact (CONTRACT 7.1), from {plan_file_rows} (the rows of the plan files
-- not in error). Rows of plan files in error for a plan_id clash
-- (plan_clashes.sql over the same rows, as the view clashing_plan_files)
-- do not count either. Per member and contact key the plans are
-- ordered by created, then plan_id: the first holds the contact
-- (earlier_plan_id null, an accepted plan row); every later one gets that
-- plan's id (a rejected row: 'contact already in plan <id>').
CREATE OR REPLACE TEMP TABLE ranked_plan_rows AS
WITH clashing_files AS (
    SELECT source_file FROM clashing_plan_files
),

counted_rows AS (
    SELECT * FROM {plan_file_rows}
    WHERE source_file NOT IN (SELECT source_file FROM clashing_files)
),

holding_plans AS (
    SELECT
        *,
        first_value(plan_id) OVER (
            PARTITION BY member, contact_key
            ORDER BY created, plan_id, source_file, source_line
        ) AS holding_plan_id
    FROM counted_rows
),

final AS (
    SELECT
        * EXCLUDE (holding_plan_id),
        CASE WHEN holding_plan_id <> plan_id THEN holding_plan_id END AS earlier_plan_id
    FROM holding_plans
)

SELECT * FROM final
