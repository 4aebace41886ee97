-- One group's rows of group_comparison: its scope 'group' strategy_comparison
-- rows, read from its warehouse attached read-only as {source}.
INSERT INTO group_comparison BY NAME
WITH group_scope AS (
    SELECT metric, n_ref, x_ref, n_job, x_job, diff, diff_lo, diff_hi, prob_ref_better
    FROM {source}.strategy_comparison
    WHERE scope = 'group'
),
final AS (
    SELECT
        $group_key AS group_key,
        $group_slug AS group_slug,
        metric, n_ref, x_ref, n_job, x_job, diff, diff_lo, diff_hi, prob_ref_better,
        NULL::DOUBLE AS mh_diff,
        NULL::DOUBLE AS mh_diff_lo,
        NULL::DOUBLE AS mh_diff_hi,
        NULL::BIGINT AS groups
    FROM group_scope
)
SELECT * FROM final
