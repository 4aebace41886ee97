-- group_activity: one row, the group's headline counts (the KPI tiles) that
-- come from calls and call_outcomes, summed from member_activity, with the
-- as_of and week they were counted for (load_report_data checks the as_of).
-- Parameters: $as_of (DATE), $week_start (DATE, the Monday of as_of's ISO week).
WITH members AS (
    SELECT * FROM member_activity
),

final AS (
    SELECT
        CAST($as_of AS DATE) AS as_of,
        CAST($week_start AS DATE) AS week_start,
        CAST(coalesce(sum(calls_this_week), 0) AS BIGINT) AS calls_this_week,
        CAST(coalesce(sum(calls_total), 0) AS BIGINT) AS calls_total,
        count(*) FILTER (WHERE recent_calls > 0) AS active_members,
        count(*) FILTER (WHERE calls_total > 0) AS members_with_calls,
        CAST(coalesce(sum(mature_calls), 0) AS BIGINT) AS mature_calls
    FROM members
)

SELECT * FROM final
