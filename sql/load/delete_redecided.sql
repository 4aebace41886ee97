-- Take out of {table} (a copies table: first copies or duplicates) the rows of
-- the replaced files and every row of a redecided id (kept_copies holds those
-- that stay).
DELETE FROM {table}
WHERE source_file IN (SELECT source_file FROM replaced_files)
    OR {id_column} IN (SELECT {id_column} FROM redecided_ids)
