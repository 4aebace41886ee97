-- The stored plan rows that count: those of the plan files not in error this
-- run (`files_in_error`, registered from Python). A plan in error does not
-- count (CONTRACT 7.1, 7.2: an edited plan's calls count as unplanned),
-- though plan_file_rows keeps its last good rows.
CREATE OR REPLACE TEMP VIEW counted_plan_file_rows AS
WITH final AS (
    SELECT * FROM plan_file_rows
    WHERE source_file NOT IN (SELECT source_file FROM files_in_error)
)

SELECT * FROM final
