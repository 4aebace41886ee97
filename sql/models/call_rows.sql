-- call_rows of the files being loaded: the validated rows registered from
-- Python as `staged_call_rows`, with their content-derived call_id.
--
-- call_id = md5 of the length-prefixed duplicate key with the member; it does
-- not depend on the file, the line or the run (CONTRACT §3).
SELECT
    *,
    md5(
        id_part(member)
        || id_part(call_date)
        || id_part(contact_key)
        || id_part(ask_label)
        || id_part(agreed_reference)
        || id_part(introductions)
        || id_part(leads)
    ) AS call_id
FROM staged_call_rows
