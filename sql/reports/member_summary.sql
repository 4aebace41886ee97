-- One row per member (plus one with a NULL member when some rejected rows
-- could not be tied to a member): activity and data-quality counts, no cell
-- contents. Activity comes from the member_activity mart (built by the
-- outcomes stage); rejected rows are read here, as they change without the
-- calls and events changing.
WITH members AS (
    SELECT member FROM member_activity
    UNION
    SELECT member FROM rejected_rows
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
    coalesce(a.calls_total, 0) AS calls_total,
    coalesce(a.calls_this_week, 0) AS calls_this_week,
    coalesce(a.mature_calls, 0) AS mature_calls,
    coalesce(a.events, 0) AS events,
    coalesce(a.unattributed_events, 0) AS unattributed_events,
    coalesce(r.rejected_rows, 0) AS rejected_rows,
    coalesce(r.rejected_cells, 0) AS rejected_cells
FROM members AS m
LEFT JOIN member_activity AS a ON a.member IS NOT DISTINCT FROM m.member
LEFT JOIN rejected_counts AS r ON r.member IS NOT DISTINCT FROM m.member
ORDER BY m.member NULLS LAST
