-- Rows of a repeated key hash, ranked per id in (file, line, sheet) order:
-- the first copy goes to {table}, the others to {duplicates}. Ids from the
-- id model (sql/models/, which reads `staged_rows`).
CREATE OR REPLACE TEMP TABLE ranked_copies AS
WITH staged_rows AS (
    SELECT rows_to_write.*
    FROM rows_to_write
    SEMI JOIN repeated_keys
        ON hash({key_columns}) = repeated_keys.key_hash
),

with_ids AS (
    {id_model}
),

final AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY {id_column}
            ORDER BY source_file, source_line, sheet NULLS FIRST
        ) AS copy_number
    FROM with_ids
)

SELECT * FROM final
