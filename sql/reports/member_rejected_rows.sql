-- Every rejected cell that belongs to a known member, in file order, so the
-- member can fix their spreadsheet.
SELECT member, source_file, sheet, line, "column", value, reason
FROM rejected_rows
WHERE member IS NOT NULL
ORDER BY member, source_file, sheet NULLS FIRST, line, "column", reason
