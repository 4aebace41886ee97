-- Rows whose key hash occurs once are first copies: into {table}, with their
-- ids from the id model (sql/models/, which reads `staged_rows`).
INSERT INTO {table} BY NAME
WITH staged_rows AS (
    SELECT rows_to_write.*
    FROM rows_to_write
    ANTI JOIN repeated_keys
        ON hash({key_columns}) = repeated_keys.key_hash
),

final AS (
    {id_model}
)

SELECT * FROM final
