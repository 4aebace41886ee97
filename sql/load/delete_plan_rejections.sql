-- Take out the rejections made across plan files, to decide them again: a
-- stored plan row passed every rule of its own file, so a rejected cell on
-- its line can only come from plan_rejections.sql.
DELETE FROM rejected_rows
WHERE EXISTS (
    SELECT 1 FROM plan_file_rows
    WHERE plan_file_rows.source_file = rejected_rows.source_file
        AND plan_file_rows.sheet IS NOT DISTINCT FROM rejected_rows.sheet
        AND plan_file_rows.source_line = rejected_rows.line
)
