-- Contacts who agreed to be a reference and whom the member has not called
-- for 30 days or more as of $as_of (DATE). The display name is the one
-- written on the contact's latest call (latest date, then the later file and
-- line), picked by arg_max in one aggregation rather than a window over calls.
-- Longest since the last call first: the first $limit (BIGINT) per member,
-- each row with the member's total.
WITH per_contact AS (
    SELECT
        member,
        contact_key,
        arg_max(contact, (call_date, source_file, source_line)) AS contact,
        max(call_date) AS last_call,
        max(call_date) FILTER (WHERE agreed_reference) AS agreed_on
    FROM calls
    GROUP BY member, contact_key
)
SELECT
    member,
    contact,
    agreed_on,
    last_call,
    CAST($as_of AS DATE) - last_call AS days_since_last_call,
    count(*) OVER (PARTITION BY member) AS total
FROM per_contact
WHERE agreed_on IS NOT NULL AND CAST($as_of AS DATE) - last_call >= 30
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY days_since_last_call DESC, contact_key
) <= CAST($limit AS BIGINT)
ORDER BY member, days_since_last_call DESC, contact_key
