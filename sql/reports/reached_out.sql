-- Contacts who reached out to a member (reached_out events), newest first:
-- the newest $limit (BIGINT) per member, each row with the member's total.
SELECT
    member,
    event_date,
    contact,
    count,
    call_id IS NOT NULL AS attributed,
    count(*) OVER (PARTITION BY member) AS total
FROM events
WHERE event_type = 'reached_out'
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY event_date DESC, contact_key, event_id
) <= CAST($limit AS BIGINT)
ORDER BY member, event_date DESC, contact_key, event_id
