-- Reference against job, per (scope, member, metric); the group rows carry the
-- Mantel-Haenszel difference with its interval (CONTRACT section 3.1).
SELECT
    scope, member, metric, n_ref, x_ref, n_job, x_job,
    diff, diff_lo, diff_hi, prob_ref_better, mh_diff, mh_diff_lo, mh_diff_hi, small_sample
FROM strategy_comparison
ORDER BY scope, member NULLS FIRST, metric
