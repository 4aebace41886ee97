-- Contacts who reached out to a member (reached_out events), newest first.
SELECT
    member,
    event_date,
    contact,
    count,
    call_id IS NOT NULL AS attributed
FROM events
WHERE event_type = 'reached_out'
ORDER BY member, event_date DESC, contact_key, event_id
