-- The rows whose first copy is decided now: the staged rows of the re-read
-- files, with (after a first load) the stored copies taken out for deciding
-- again (`kept_copies`, see kept_copies.sql; empty on a first load), without
-- ids. Identifiers: {staged} (the staged rows' view), {id_column}.
CREATE OR REPLACE TEMP VIEW rows_to_write AS
WITH staged AS (
    SELECT * FROM {staged}
),

kept AS (
    SELECT * EXCLUDE ({id_column}) FROM kept_copies
),

final AS (
    SELECT * FROM staged
    UNION ALL BY NAME
    SELECT * FROM kept
)

SELECT * FROM final
