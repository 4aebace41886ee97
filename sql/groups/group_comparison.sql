-- group_comparison for the all-groups page: each metric's groups, then its pooled row.
SELECT
    group_key, group_slug, metric, n_ref, x_ref, n_job, x_job,
    diff, diff_lo, diff_hi, prob_ref_better, mh_diff, mh_diff_lo, mh_diff_hi, groups
FROM group_comparison
ORDER BY metric, group_key NULLS LAST
