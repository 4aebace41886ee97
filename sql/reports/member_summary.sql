-- One row per member (plus one with a NULL member when some rejected rows
-- could not be tied to a member): activity and data-quality counts, no cell
-- contents. Parameters: $as_of (DATE), $week_start (DATE).
WITH members AS (
    SELECT member FROM calls
    UNION
    SELECT member FROM events
    UNION
    SELECT member FROM rejected_rows
),
call_counts AS (
    SELECT
        member,
        count(*) AS calls_total,
        count(*) FILTER (
            WHERE call_date BETWEEN CAST($week_start AS DATE) AND CAST($as_of AS DATE)
        ) AS calls_this_week
    FROM calls
    GROUP BY member
),
mature_counts AS (
    SELECT member, count(*) FILTER (WHERE mature) AS mature_calls
    FROM call_outcomes
    GROUP BY member
),
event_counts AS (
    SELECT
        member,
        count(*) AS events,
        count(*) FILTER (WHERE call_id IS NULL) AS unattributed_events
    FROM events
    GROUP BY member
),
rejected_counts AS (
    SELECT member, count(*) AS rejected_cells, count(DISTINCT row_key) AS rejected_rows
    FROM (
        SELECT member, [source_file, coalesce(sheet, ''), CAST(line AS VARCHAR)] AS row_key
        FROM rejected_rows
    )
    GROUP BY member
)
SELECT
    m.member,
    coalesce(c.calls_total, 0) AS calls_total,
    coalesce(c.calls_this_week, 0) AS calls_this_week,
    coalesce(o.mature_calls, 0) AS mature_calls,
    coalesce(e.events, 0) AS events,
    coalesce(e.unattributed_events, 0) AS unattributed_events,
    coalesce(r.rejected_rows, 0) AS rejected_rows,
    coalesce(r.rejected_cells, 0) AS rejected_cells
FROM members AS m
LEFT JOIN call_counts AS c ON c.member IS NOT DISTINCT FROM m.member
LEFT JOIN mature_counts AS o ON o.member IS NOT DISTINCT FROM m.member
LEFT JOIN event_counts AS e ON e.member IS NOT DISTINCT FROM m.member
LEFT JOIN rejected_counts AS r ON r.member IS NOT DISTINCT FROM m.member
ORDER BY m.member NULLS LAST
