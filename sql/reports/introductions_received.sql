-- Introductions a member received: offered during a call, or reported later
-- as an introduction event. Newest first: the newest $limit (BIGINT) per
-- member, each row with the member's total.
SELECT
    member,
    received_on,
    contact,
    introductions,
    source,
    count(*) OVER (PARTITION BY member) AS total
FROM (
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
    UNION ALL
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
)
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY received_on DESC, contact_key, source, row_id
) <= CAST($limit AS BIGINT)
ORDER BY member, received_on DESC, contact_key, source, row_id
