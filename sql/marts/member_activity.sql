-- member_activity: one row per member with a call or an event, with the counts
-- the member pages and the group's tiles take from calls, events and
-- call_outcomes (contact names and notes stay out).
-- Parameters: $as_of (DATE), $week_start (DATE, the Monday of as_of's ISO
-- week), $active_days (INTEGER: a member is active with a call in the
-- $active_days days ending on as_of).
WITH member_calls AS (
    SELECT member, call_date FROM calls
),

member_events AS (
    SELECT member, call_id FROM events
),

member_outcomes AS (
    SELECT member, mature FROM call_outcomes
),

call_counts AS (
    SELECT
        member,
        count(*) AS calls_total,
        count(*) FILTER (
            WHERE call_date BETWEEN CAST($week_start AS DATE) AND CAST($as_of AS DATE)
        ) AS calls_this_week,
        count(*) FILTER (
            WHERE CAST($as_of AS DATE) - call_date BETWEEN 0 AND CAST($active_days AS INTEGER) - 1
        ) AS recent_calls  -- calls in the $active_days days ending on as_of
    FROM member_calls
    GROUP BY member
),

mature_counts AS (
    SELECT member, count(*) FILTER (WHERE mature) AS mature_calls
    FROM member_outcomes
    GROUP BY member
),

event_counts AS (
    SELECT
        member,
        count(*) AS events,
        count(*) FILTER (WHERE call_id IS NULL) AS unattributed_events
    FROM member_events
    GROUP BY member
),

members AS (
    SELECT member FROM call_counts
    UNION
    SELECT member FROM event_counts
),

final AS (
    SELECT
        m.member,
        coalesce(c.calls_total, 0) AS calls_total,
        coalesce(c.calls_this_week, 0) AS calls_this_week,
        coalesce(c.recent_calls, 0) AS recent_calls,
        coalesce(o.mature_calls, 0) AS mature_calls,
        coalesce(e.events, 0) AS events,
        coalesce(e.unattributed_events, 0) AS unattributed_events
    FROM members AS m
    LEFT JOIN call_counts AS c USING (member)
    LEFT JOIN mature_counts AS o USING (member)
    LEFT JOIN event_counts AS e USING (member)
)

SELECT * FROM final
ORDER BY member
