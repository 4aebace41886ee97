-- follow_up_references: per member, the contacts who agreed to be a reference
-- and whom the member has not called for $reference_days days or more as of
-- $as_of: the first $limit by days since the last call (longest first, then
-- contact key), numbered by `position`, each row with the member's `total`.
-- The display name is the one written on the contact's latest call (latest
-- date, then the later file and line).
-- Parameters: $as_of (DATE), $reference_days (INTEGER), $limit (BIGINT).
WITH member_calls AS (
    SELECT member, contact_key, contact, call_date, agreed_reference, source_file, source_line
    FROM calls
),

contacts AS (
    SELECT
        member,
        contact_key,
        max(call_date) AS last_call,
        max(call_date) FILTER (WHERE agreed_reference) AS agreed_on
    FROM member_calls
    GROUP BY member, contact_key
),

due AS (
    SELECT
        member,
        contact_key,
        agreed_on,
        last_call,
        CAST($as_of AS DATE) - last_call AS days_since_last_call
    FROM contacts
    WHERE agreed_on IS NOT NULL
        AND CAST($as_of AS DATE) - last_call >= CAST($reference_days AS INTEGER)
),

ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY member ORDER BY days_since_last_call DESC, contact_key
        ) AS position,
        count(*) OVER (PARTITION BY member) AS total
    FROM due
),

listed AS (
    SELECT * FROM ranked
    WHERE position <= CAST($limit AS BIGINT)
),

-- Names only for the listed contacts: those on their latest calls, the later
-- file and line winning.
names AS (
    SELECT
        l.member,
        l.contact_key,
        arg_max(c.contact, (c.source_file, c.source_line)) AS contact
    FROM listed AS l
    JOIN member_calls AS c
        ON c.member = l.member AND c.contact_key = l.contact_key AND c.call_date = l.last_call
    GROUP BY l.member, l.contact_key
),

final AS (
    SELECT
        l.member,
        n.contact,
        l.agreed_on,
        l.last_call,
        l.days_since_last_call,
        l.position,
        l.total
    FROM listed AS l
    JOIN names AS n USING (member, contact_key)
)

SELECT * FROM final
ORDER BY member, position
