-- follow_up_introductions: per member, the introductions they received,
-- offered during a call or reported later as an introduction event: the first
-- $limit by date (newest first), then contact key, source and row id,
-- numbered by `position`, each row with the member's `total`.
-- Parameters: $limit (BIGINT).
WITH during_calls AS (
    SELECT
        member,
        call_date AS received_on,
        contact,
        contact_key,
        introductions,
        'during the call' AS source,
        call_id AS row_id
    FROM calls
    WHERE introductions > 0
),

reported_later AS (
    SELECT
        member,
        event_date AS received_on,
        contact,
        contact_key,
        count AS introductions,
        'reported later' AS source,
        event_id AS row_id
    FROM events
    WHERE event_type = 'introduction'
),

received AS (
    SELECT * FROM during_calls
    UNION ALL
    SELECT * FROM reported_later
),

-- The date of each member's $limit-th newest introduction: an older one
-- cannot be listed, so the window below sorts only the rest.
cut_offs AS (
    SELECT
        member,
        list_min(max(received_on, CAST($limit AS BIGINT))) AS oldest_listed,
        count(*) AS total
    FROM received
    GROUP BY member
),

ranked AS (
    SELECT
        r.member,
        r.received_on,
        r.contact,
        r.introductions,
        r.source,
        row_number() OVER (
            PARTITION BY r.member ORDER BY r.received_on DESC, r.contact_key, r.source, r.row_id
        ) AS position,
        c.total
    FROM received AS r
    JOIN cut_offs AS c USING (member)
    WHERE r.received_on >= c.oldest_listed
),

final AS (
    SELECT * FROM ranked
    WHERE position <= CAST($limit AS BIGINT)
)

SELECT * FROM final
ORDER BY member, position
