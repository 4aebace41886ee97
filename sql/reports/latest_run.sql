-- The most recent run in the load log (used when the caller names no run).
SELECT run_id
FROM load_log
ORDER BY loaded_at DESC, run_id DESC
LIMIT 1
