-- The plan rows that will count after the run, before any is written: the
-- stored rows of the files neither replaced nor in error (`replaced_files`,
-- registered from Python, lists both) and the staged rows of the re-read
-- files ({staged}).
CREATE OR REPLACE TEMP VIEW candidate_plan_rows AS
WITH kept AS (
    SELECT * FROM plan_file_rows
    WHERE source_file NOT IN (SELECT source_file FROM replaced_files)
),

staged AS (
    SELECT * FROM {staged}
),

final AS (
    SELECT * FROM kept
    UNION ALL BY NAME
    SELECT * FROM staged
)

SELECT * FROM final
