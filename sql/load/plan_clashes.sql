-- Plan files in error because one of their members' plan_id is already used
-- by an earlier file in path order (CONTRACT 7.1: the second file is a
-- file-level error). Reads the plan rows of every file as {plan_file_rows}
-- (the stored table, or the rows a run is about to store). One row per file
-- in error, naming the first clash: its member, plan_id and the file that
-- keeps the plan_id.
WITH file_plans AS (
    SELECT DISTINCT source_file, member, plan_id FROM {plan_file_rows}
),

first_files AS (
    SELECT member, plan_id, min(source_file) AS first_file
    FROM file_plans
    GROUP BY member, plan_id
),

clashes AS (
    SELECT
        file_plans.source_file,
        file_plans.member,
        file_plans.plan_id,
        first_files.first_file,
        row_number() OVER (
            PARTITION BY file_plans.source_file
            ORDER BY first_files.first_file, file_plans.member, file_plans.plan_id
        ) AS clash_number
    FROM file_plans
    INNER JOIN first_files USING (member, plan_id)
    WHERE file_plans.source_file <> first_files.first_file
),

final AS (
    SELECT source_file, member, plan_id, first_file
    FROM clashes
    WHERE clash_number = 1
)

SELECT * FROM final
