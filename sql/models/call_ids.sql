-- Each validated call row registered from Python as `staged_rows`, with its
-- call_id.
--
-- call_id = md5 of the length-prefixed duplicate key with the member: each
-- part is "<byte length>:<text>", a null part is "-", so no two different keys
-- encode alike. It does not depend on the file, the line or the run
-- (CONTRACT §3). Only agreed_reference can be null (the other key columns
-- are NOT NULL in the tables these rows go to).
SELECT
    *,
    md5(concat(
        strlen(member), ':', member,
        strlen(CAST(call_date AS VARCHAR)), ':', CAST(call_date AS VARCHAR),
        strlen(contact_key), ':', contact_key,
        strlen(ask_label), ':', ask_label,
        CASE
            WHEN agreed_reference IS NULL THEN '-'
            ELSE concat(
                strlen(CAST(agreed_reference AS VARCHAR)), ':',
                CAST(agreed_reference AS VARCHAR)
            )
        END,
        strlen(CAST(introductions AS VARCHAR)), ':', CAST(introductions AS VARCHAR),
        strlen(CAST(leads AS VARCHAR)), ':', CAST(leads AS VARCHAR)
    )) AS call_id
FROM staged_rows
