-- The per-group rows as strata of the pooled rows, metric by metric.
WITH group_rows AS (
    SELECT metric, group_key, x_ref, n_ref, x_job, n_job
    FROM group_comparison
    WHERE group_key IS NOT NULL
),
final AS (
    SELECT * FROM group_rows ORDER BY metric, group_key
)
SELECT * FROM final
