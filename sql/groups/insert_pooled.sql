-- The pooled rows (group_key null), computed in Python from the strata.
INSERT INTO group_comparison BY NAME
SELECT * FROM pooled_rows
