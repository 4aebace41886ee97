-- Rejected cells that belong to a known member, in file order, so the member
-- can fix their spreadsheet: the first $limit (BIGINT) per member, each row
-- with the member's total (`asklab validate` lists them all).
SELECT
    member, source_file, sheet, line, "column", value, reason,
    count(*) OVER (PARTITION BY member) AS total
FROM rejected_rows
WHERE member IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY member ORDER BY source_file, sheet NULLS FIRST, line, "column", reason
) <= CAST($limit AS BIGINT)
ORDER BY member, source_file, sheet NULLS FIRST, line, "column", reason
