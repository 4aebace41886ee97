-- follow_up_reached_out: per member, the contacts who reached out to them
-- (reached_out events): the first $limit by event date (newest first), then
-- contact key and event id, numbered by `position`, each row with the
-- member's `total`; `attributed` says whether the event was matched to a call.
-- Parameters: $limit (BIGINT).
WITH reached_out_events AS (
    SELECT member, event_id, event_date, contact_key, contact, count, call_id
    FROM events
    WHERE event_type = 'reached_out'
),

-- The date of each member's $limit-th newest event: an older one cannot be
-- listed, so the window below sorts only the rest.
cut_offs AS (
    SELECT
        member,
        list_min(max(event_date, CAST($limit AS BIGINT))) AS oldest_listed,
        count(*) AS total
    FROM reached_out_events
    GROUP BY member
),

ranked AS (
    SELECT
        e.member,
        e.event_date,
        e.contact,
        e.count,
        e.call_id IS NOT NULL AS attributed,
        row_number() OVER (
            PARTITION BY e.member ORDER BY e.event_date DESC, e.contact_key, e.event_id
        ) AS position,
        c.total
    FROM reached_out_events AS e
    JOIN cut_offs AS c USING (member)
    WHERE e.event_date >= c.oldest_listed
),

final AS (
    SELECT * FROM ranked
    WHERE position <= CAST($limit AS BIGINT)
)

SELECT * FROM final
ORDER BY member, position
