-- Headline counts for the group page: one row.
-- Parameters: $as_of (DATE), $week_start (DATE, Monday of as_of's ISO week),
-- $run_id (VARCHAR; NULL or a run not in load_log: rows_rejected_run is NULL).
SELECT
    (SELECT count(*) FROM calls
        WHERE call_date BETWEEN CAST($week_start AS DATE) AND CAST($as_of AS DATE)
    ) AS calls_this_week,
    (SELECT count(*) FROM calls) AS calls_total,
    -- Active: at least one call in the 28 days ending on as_of.
    (SELECT count(DISTINCT member) FROM calls
        WHERE call_date > CAST($as_of AS DATE) - 28 AND call_date <= CAST($as_of AS DATE)
    ) AS active_members,
    (SELECT count(DISTINCT member) FROM calls) AS members_with_calls,
    (SELECT count(*) FROM call_outcomes WHERE mature) AS mature_calls,
    -- Rows rejected by the files this run (re)loaded; unchanged files' rows
    -- repeat their standing counts in load_log, so they are left out here.
    CASE WHEN EXISTS (SELECT 1 FROM load_log WHERE run_id = CAST($run_id AS VARCHAR)) THEN
        (SELECT coalesce(CAST(sum(rows_rejected) AS BIGINT), 0) FROM load_log
            WHERE run_id = CAST($run_id AS VARCHAR) AND status = 'loaded')
    END AS rows_rejected_run,
    (SELECT count(*) FROM (SELECT DISTINCT source_file, sheet, line FROM rejected_rows)
    ) AS rejected_rows_stored
