-- events: one row per distinct event.
--
-- Rows of one member that are equal on (event_date, contact key, event_type,
-- count) are one event, kept from the first copy in (source_file, line) order
-- (CONTRACT §1.7). call_id is filled in later by the outcomes stage.
WITH
copies AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY member, event_date, contact_key, event_type, count
            ORDER BY source_file, source_line, sheet NULLS FIRST
        ) AS copy_number
    FROM event_rows
),

first_copies AS (
    SELECT * FROM copies WHERE copy_number = 1
)

SELECT
    event_id,
    member,
    event_date,
    contact_key,
    event_type,
    count,
    CAST(NULL AS VARCHAR) AS call_id,
    source_file,
    source_line,
    contact,
    sheet
FROM first_copies
