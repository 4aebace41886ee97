-- Most rows are the only copy of their id and need no ordering. Rows are
-- grouped by a 64-bit hash of their duplicate key ({key_columns}; cheaper
-- than the id): the rows of a repeated hash (true copies, and rare hash
-- collisions) are ranked by id (see ranked_copies.sql); every other row is a
-- first copy.
CREATE OR REPLACE TEMP TABLE repeated_keys AS
WITH hashed AS (
    SELECT hash({key_columns}) AS key_hash FROM rows_to_write
),

final AS (
    SELECT key_hash FROM hashed
    GROUP BY key_hash
    HAVING count(*) > 1
)

SELECT * FROM final
