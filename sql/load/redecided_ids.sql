-- Ids whose first copy must be decided again: those whose first copy was in
-- a replaced file (`replaced_files`, registered from Python), and those of
-- the staged rows (a new row may come before the stored first copy).
-- Identifiers: {table}, {id_column}, {staged}; id_model is the table's id
-- model (sql/models/), which reads `staged_rows`.
CREATE OR REPLACE TEMP TABLE redecided_ids AS
WITH replaced_first_copies AS (
    SELECT {id_column} FROM {table}
    WHERE source_file IN (SELECT source_file FROM replaced_files)
),

staged_rows AS (
    SELECT * FROM {staged}
),

staged_ids AS (
    SELECT {id_column} FROM ({id_model})
),

final AS (
    SELECT {id_column} FROM replaced_first_copies
    UNION
    SELECT {id_column} FROM staged_ids
)

SELECT * FROM final
