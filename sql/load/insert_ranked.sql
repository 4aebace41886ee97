-- The ranked copies (ranked_copies.sql) into {table}: with {first_copies}
-- true the first copy of each id (into the contract table), with false the
-- others (into its duplicates table).
INSERT INTO {table} BY NAME
SELECT * EXCLUDE (copy_number)
FROM ranked_copies
WHERE (copy_number = 1) = {first_copies}
