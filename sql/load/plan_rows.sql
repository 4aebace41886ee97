-- The accepted plan rows (ranked_plan_rows.sql), in the columns of
-- plan_file_rows: what the table plan_rows holds.
WITH final AS (
    SELECT * EXCLUDE (earlier_plan_id)
    FROM ranked_plan_rows
    WHERE earlier_plan_id IS NULL
)

SELECT * FROM final
