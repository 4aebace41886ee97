-- Reference against job, per (scope, member, metric).
SELECT
    scope, member, metric, n_ref, x_ref, n_job, x_job,
    diff, diff_lo, diff_hi, prob_ref_better, mh_diff, small_sample
FROM strategy_comparison
ORDER BY scope, member NULLS FIRST, metric
