-- Headline counts for the group page: one row. The call counts come from the
-- one-row group_activity mart (built by the outcomes stage for as_of), the
-- rejected-row counts from load_log and rejected_rows.
-- Parameters: $run_id (VARCHAR; NULL or a run not in load_log: rows_rejected_run is NULL).
SELECT
    g.calls_this_week,
    g.calls_total,
    -- Active: at least one call in the ACTIVE_DAYS days ending on as_of.
    g.active_members,
    g.members_with_calls,
    g.mature_calls,
    -- Rows rejected by the files this run (re)loaded; unchanged files' rows
    -- repeat their standing counts in load_log, so they are left out here.
    CASE WHEN EXISTS (SELECT 1 FROM load_log WHERE run_id = CAST($run_id AS VARCHAR)) THEN
        (SELECT coalesce(CAST(sum(rows_rejected) AS BIGINT), 0) FROM load_log
            WHERE run_id = CAST($run_id AS VARCHAR) AND status = 'loaded')
    END AS rows_rejected_run,
    (SELECT count(*) FROM (SELECT DISTINCT source_file, sheet, line FROM rejected_rows)
    ) AS rejected_rows_stored
FROM group_activity AS g
