-- calls: one row per distinct call.
--
-- Rows of one member that are equal on the duplicate key (call_date, contact
-- key, ask label, agreed_reference, introductions, leads) are one call, kept
-- from the first copy in (source_file, line) order (CONTRACT §1.7); the sheet
-- name only breaks ties between sheets of one workbook.
WITH
copies AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY
                member, call_date, contact_key, ask_label, agreed_reference,
                introductions, leads
            ORDER BY source_file, source_line, sheet NULLS FIRST
        ) AS copy_number
    FROM call_rows
),

first_copies AS (
    SELECT * FROM copies WHERE copy_number = 1
)

SELECT
    call_id,
    member,
    call_date,
    contact_key,
    relationship,
    ask_label,
    strategy,
    agreed_reference,
    introductions,
    leads,
    source_file,
    source_line,
    contact,
    sheet
FROM first_copies
