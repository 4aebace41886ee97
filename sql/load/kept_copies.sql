-- The stored copies (first copies and duplicates) of the redecided ids that
-- stay, because their file is not replaced: they are decided again with the
-- staged rows. Identifiers: {table}, {duplicates}, {id_column}, {columns}
-- (the duplicates table's columns, in order).
CREATE OR REPLACE TEMP TABLE kept_copies AS
WITH stored_copies AS (
    SELECT {columns} FROM {table}
    UNION ALL
    SELECT {columns} FROM {duplicates}
),

final AS (
    SELECT * FROM stored_copies
    WHERE {id_column} IN (SELECT {id_column} FROM redecided_ids)
        AND source_file NOT IN (SELECT source_file FROM replaced_files)
)

SELECT * FROM final
