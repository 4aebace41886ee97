-- A first load keeps no stored copies: kept_copies is empty, shaped like
-- {duplicates}.
CREATE OR REPLACE TEMP TABLE kept_copies AS
SELECT * FROM {duplicates}
LIMIT 0
