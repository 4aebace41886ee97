-- Per source file, for the load log:
--   rows_loaded   rows of the file that are the kept (first) copy of a call or
--                 event, or an accepted plan row: its rows in calls, events
--                 and plan_rows;
--   duplicates    extra copies the file holds of a call/event kept elsewhere
--                 (or earlier in the same file): its rows in call_duplicates
--                 and event_duplicates;
--   rows_rejected distinct rejected rows (a row may have several bad cells).
WITH
kept_rows AS (
    SELECT source_file, count(*) AS n FROM calls GROUP BY source_file
    UNION ALL
    SELECT source_file, count(*) AS n FROM events GROUP BY source_file
    UNION ALL
    SELECT source_file, count(*) AS n FROM plan_rows GROUP BY source_file
),

duplicate_rows AS (
    SELECT source_file, count(*) AS n FROM call_duplicates GROUP BY source_file
    UNION ALL
    SELECT source_file, count(*) AS n FROM event_duplicates GROUP BY source_file
),

rejected_lines AS (
    SELECT DISTINCT source_file, sheet, line FROM rejected_rows
),

kept_per_file AS (
    SELECT source_file, sum(n) AS kept FROM kept_rows GROUP BY source_file
),

duplicates_per_file AS (
    SELECT source_file, sum(n) AS duplicates FROM duplicate_rows GROUP BY source_file
),

rejected_per_file AS (
    SELECT source_file, count(*) AS rejected FROM rejected_lines GROUP BY source_file
),

files AS (
    SELECT source_file FROM kept_per_file
    UNION
    SELECT source_file FROM duplicates_per_file
    UNION
    SELECT source_file FROM rejected_per_file
)

SELECT
    files.source_file,
    CAST(coalesce(kept_per_file.kept, 0) AS BIGINT) AS rows_loaded,
    CAST(coalesce(rejected_per_file.rejected, 0) AS BIGINT) AS rows_rejected,
    CAST(coalesce(duplicates_per_file.duplicates, 0) AS BIGINT) AS duplicates
FROM files
LEFT JOIN kept_per_file USING (source_file)
LEFT JOIN duplicates_per_file USING (source_file)
LEFT JOIN rejected_per_file USING (source_file)
