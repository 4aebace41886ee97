-- Per source file, for the load log:
--   rows_loaded   rows of the file that are the kept copy of a call or event;
--   duplicates    extra copies the file holds of a call/event kept elsewhere
--                 (or earlier in the same file);
--   rows_rejected distinct rejected rows (a row may have several bad cells).
WITH
valid_rows AS (
    SELECT source_file, count(*) AS n FROM call_rows GROUP BY source_file
    UNION ALL
    SELECT source_file, count(*) AS n FROM event_rows GROUP BY source_file
),

kept_rows AS (
    SELECT source_file, count(*) AS n FROM calls GROUP BY source_file
    UNION ALL
    SELECT source_file, count(*) AS n FROM events GROUP BY source_file
),

rejected_lines AS (
    SELECT DISTINCT source_file, sheet, line FROM rejected_rows
),

valid_per_file AS (
    SELECT source_file, sum(n) AS valid FROM valid_rows GROUP BY source_file
),

kept_per_file AS (
    SELECT source_file, sum(n) AS kept FROM kept_rows GROUP BY source_file
),

rejected_per_file AS (
    SELECT source_file, count(*) AS rejected FROM rejected_lines GROUP BY source_file
),

files AS (
    SELECT source_file FROM valid_per_file
    UNION
    SELECT source_file FROM rejected_per_file
)

SELECT
    files.source_file,
    CAST(coalesce(kept_per_file.kept, 0) AS BIGINT) AS rows_loaded,
    CAST(coalesce(rejected_per_file.rejected, 0) AS BIGINT) AS rows_rejected,
    CAST(coalesce(valid_per_file.valid, 0) - coalesce(kept_per_file.kept, 0) AS BIGINT)
        AS duplicates
FROM files
LEFT JOIN valid_per_file USING (source_file)
LEFT JOIN kept_per_file USING (source_file)
LEFT JOIN rejected_per_file USING (source_file)
