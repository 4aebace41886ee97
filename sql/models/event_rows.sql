-- event_rows of the files being loaded: the validated rows registered from
-- Python as `staged_event_rows`, with their content-derived event_id
-- (md5 of the length-prefixed duplicate key with the member).
SELECT
    *,
    md5(
        id_part(member)
        || id_part(event_date)
        || id_part(contact_key)
        || id_part(event_type)
        || id_part(count)
    ) AS event_id
FROM staged_event_rows
