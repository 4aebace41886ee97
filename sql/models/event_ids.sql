-- Each validated event row registered from Python as `staged_rows`, with its
-- event_id: md5 of the length-prefixed duplicate key with the member, as for
-- call_id (see call_ids.sql). No key column is null.
SELECT
    *,
    md5(concat(
        strlen(member), ':', member,
        strlen(CAST(event_date AS VARCHAR)), ':', CAST(event_date AS VARCHAR),
        strlen(contact_key), ':', contact_key,
        strlen(event_type), ':', event_type,
        strlen(CAST(count AS VARCHAR)), ':', CAST(count AS VARCHAR)
    )) AS event_id
FROM staged_rows
